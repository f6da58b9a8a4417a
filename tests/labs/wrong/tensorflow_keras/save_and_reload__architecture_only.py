"""Bug: saves and reloads only the architecture (model.to_json, an older Keras habit):
the reloaded model has fresh random weights and no compile settings."""


def save_and_reload(keras, model, path):
    spec = str(path).replace(".keras", ".json")
    with open(spec, "w") as fh:
        fh.write(model.to_json())
    with open(spec) as fh:
        return keras.models.model_from_json(fh.read())
