"""Bug: a second hidden Dense(hidden, relu) layer pasted in from a tutorial: a different
model from the one asked for (and more parameters)."""


def build_model(keras, n_features, n_classes, hidden):
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
