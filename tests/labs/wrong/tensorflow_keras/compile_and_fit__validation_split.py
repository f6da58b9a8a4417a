"""Bug: validation_split=0.2 instead of the validation data given, so early stopping
watches the last 20% of the training set (and trains on 20% less)."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_split=0.2, callbacks=[stop], verbose=0)
