"""Bug: compiles without metrics=["accuracy"], so neither the history nor evaluate() report
accuracy."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), callbacks=[stop],
                     verbose=0)
