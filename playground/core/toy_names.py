"""The Decision boundary toy's names and limits: datasets, input features, activations,
optimizers.  No torch here, so the tab can build its controls before torch has loaded;
:mod:`playground.core.toy` uses the same names."""

from __future__ import annotations

DATASET_TITLES = {
    "fruit": "Fruit: safe or poisonous?",
    "circle": "Circle",
    "xor": "XOR (four corners)",
    "gauss": "Gaussian blobs",
    "spiral": "Spiral",
    "moons": "Two moons",
}
DATASETS = tuple(DATASET_TITLES)
MULTICLASS = ("gauss", "spiral")  # datasets that can have 3..5 classes
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁·x₂",
    "sin x1": "sin(x₁)",
    "sin x2": "sin(x₂)",
}
FEATURES = tuple(FEATURE_LABELS)
ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}
ACTIVATIONS = tuple(ACTIVATION_LABELS)
OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "rmsprop": "RMSprop",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}
OPTIMIZERS = tuple(OPTIMIZER_LABELS)
MAX_CLASSES = 5
MAX_LAYERS = 6
MAX_WIDTH = 32
