"""Bug: the loss is told from_logits=True although the model already ends in a softmax, so
it applies a second softmax."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), callbacks=[stop],
                     verbose=0)
