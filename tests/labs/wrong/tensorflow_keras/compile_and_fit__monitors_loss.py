"""Bug: EarlyStopping's default-looking monitor="loss" watches the *training* loss, which
keeps falling while the model overfits, so it never stops."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), callbacks=[stop],
                     verbose=0)
