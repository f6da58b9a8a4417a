"""Bug: load_model(..., compile=False): the weights come back, the optimizer and loss do
not."""


def save_and_reload(keras, model, path):
    model.save(path)
    return keras.models.load_model(path, compile=False)
