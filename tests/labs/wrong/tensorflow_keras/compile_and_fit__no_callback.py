"""Bug: no early stopping: fit runs every epoch and ends with the last, overfitted weights."""


def compile_and_fit(keras, model, data, epochs, patience):
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(data["x_train"], data["y_train"], batch_size=32, epochs=epochs,
                     validation_data=(data["x_val"], data["y_val"]), verbose=0)
