"""A deliberately wrong solution: relu applied before the bias is added, and a classifier
whose last Dense layer has no softmax (it outputs raw scores, not probabilities)."""

import numpy as np


def dense_forward(x, kernel, bias, activation="linear"):
    z = x @ kernel
    return (np.maximum(z, 0.0) if activation == "relu" else z) + bias  # bias after relu


def build_classifier(keras, n_features, n_classes, hidden):
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes),  # missing activation="softmax"
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
