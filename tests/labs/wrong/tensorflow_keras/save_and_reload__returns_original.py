"""Bug: saves the file but returns the model it was given, so the round trip is never
exercised."""


def save_and_reload(keras, model, path):
    model.save(path)
    return model
