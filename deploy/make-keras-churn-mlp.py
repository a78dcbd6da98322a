#!/usr/bin/python3
"""Writes jobs/keras/churn-mlp.json (a Keras Sequential model definition, as model.to_json() writes
it), jobs/keras/churn-mlp.h5 (its weights in the HDF5 layout of Keras' model.save_weights()) and
jobs/keras/churn-mlp.expected.json (the network's outputs on fixed inputs, computed here with numpy
from the same weights; the trainer's tests compare DL4J's imported network against them).

Needs only numpy and h5py (Debian: apt-get install -y python3-h5py python3-numpy), not TensorFlow.
The network: 13 churn features -> Dense(8, relu) -> Dropout(0.1) -> Dense(1, sigmoid).
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jobs", "keras")
INPUTS, HIDDEN = 13, 8


def dense(name, units, activation, input_dim=None):
    config = {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True,
        "kernel_initializer": {"class_name": "VarianceScaling",
                               "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None,
    }
    if input_dim is not None:
        config["batch_input_shape"] = [None, input_dim]
    return {"class_name": "Dense", "config": config}


def main():
    model = {
        "class_name": "Sequential",
        "config": {"name": "churn_mlp", "layers": [
            dense("dense_1", HIDDEN, "relu", INPUTS),
            {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "rate": 0.1,
                                                 "noise_shape": None, "seed": None}},
            dense("dense_2", 1, "sigmoid"),
        ]},
        "keras_version": "2.2.4",
        "backend": "tensorflow",
    }
    rng = np.random.default_rng(20261123)
    w1 = rng.normal(0, 0.4, (INPUTS, HIDDEN)).astype(np.float32)
    b1 = rng.normal(0, 0.1, (HIDDEN,)).astype(np.float32)
    w2 = rng.normal(0, 0.4, (HIDDEN, 1)).astype(np.float32)
    b2 = np.array([-0.5], dtype=np.float32)

    with open(os.path.join(HERE, "churn-mlp.json"), "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")

    # The layout of Keras 2 model.save_weights(): one group per layer, named weights inside.
    with h5py.File(os.path.join(HERE, "churn-mlp.h5"), "w") as h5:
        h5.attrs["layer_names"] = np.array([b"dense_1", b"dropout_1", b"dense_2"])
        h5.attrs["backend"] = b"tensorflow"
        h5.attrs["keras_version"] = b"2.2.4"
        for name, weights in (("dense_1", (w1, b1)), ("dropout_1", ()), ("dense_2", (w2, b2))):
            g = h5.create_group(name)
            names = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()] if weights else []
            g.attrs["weight_names"] = np.array(names, dtype="S")
            for n, w in zip(names, weights):
                g.create_dataset(n.decode(), data=w)

    # Reference outputs (inference: dropout is the identity).
    x = rng.normal(0, 1, (5, INPUTS)).astype(np.float32)
    h = np.maximum(x @ w1 + b1, 0)
    y = 1 / (1 + np.exp(-(h @ w2 + b2)))
    with open(os.path.join(HERE, "churn-mlp.expected.json"), "w") as f:
        json.dump({"inputs": x.tolist(), "outputs": y.astype(np.float64).tolist()}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
