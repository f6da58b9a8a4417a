"""Bug: optimizer="adam" takes Adam's default learning rate (0.001), not the 0.01 asked for."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), callbacks=[stop],
                     verbose=0)
