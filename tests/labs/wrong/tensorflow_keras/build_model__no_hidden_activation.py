"""Bug: the hidden layer has no activation, so the whole model is linear and cannot
separate rings."""


def build_model(keras, n_features, n_classes, hidden):
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
