"""Bug: the last Dense layer has no activation, so the model outputs raw scores (logits)
where probabilities were asked for."""


def build_model(keras, n_features, n_classes, hidden):
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes),
    ])
