"""Train a spiking network on scikit-learn's 8x8 digits with numpy and
sinabs_swift only (no torch): model, loss, Adam and the training step all run
in libsinabs.

    make example-python-digits                       # exports the data, trains
    python3 train_digits_numpy.py DATA OUT.safetensors
    python3 train_digits_numpy.py DATA --evaluate MODEL   # a model saved by C or Swift

Network, a small convolutional SNN in sinabs' squeeze form (Batch*Time,
channels, height, width), built with sinabs_swift.layers' torch-style constructors:
Conv2d(1, 16, 3, padding=1) -> IAFSqueeze ->
SumPool2d(2) -> Flatten -> Linear(256, 10) -> IAFSqueeze. Each pixel (0..16)
spikes with probability pixel/16 at each of T steps (rate coding); the class
is the output neuron with the most spikes. DATA is the file
examples/export_digits.py writes. Exits 1 below 90% test accuracy.
"""
import argparse
import struct
import sys
import time

import numpy as np

import sinabs_swift as ss

STEPS, BATCH, EPOCHS = 10, 32, 15


def load_digits(path):
    """(x_train, y_train, x_test, y_test): pixels scaled to [0, 1], int labels."""
    with open(path, "rb") as f:
        magic, n_train, n_test = struct.unpack("<4sII", f.read(12))
        if magic != b"DGT1":
            sys.exit(f"{path} is not a digits file (make example-python-digits exports it)")
        records = np.frombuffer(f.read(), dtype=np.uint8).reshape(n_train + n_test, 65)
    x, y = records[:, :64].astype(np.float32) / 16, records[:, 64].astype(np.int64)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def encode(pixels, rng):
    """(B, 64) intensities -> (B*T, 1, 8, 8) Bernoulli spike trains, sample-major."""
    spikes = rng.random((len(pixels), STEPS, 64)) < pixels[:, None, :]
    return spikes.astype(np.float32).reshape(-1, 1, 8, 8)


def build_model():
    """torch-style constructors (sinabs_swift.layers); weights drawn from numpy's
    global generator like torch's default initialisation."""
    layers = ss.layers
    return ss.Sequential(
        layers.Conv2d(1, 16, 3, padding=1),
        layers.IAFSqueeze(num_timesteps=STEPS),
        layers.SumPool2d(2),
        layers.Flatten(),
        layers.Linear(256, 10),
        layers.IAFSqueeze(num_timesteps=STEPS),
    )


def accuracy(model, x, y, rng):
    model.reset_states()
    counts = np.asarray(model(encode(x, rng))).reshape(len(x), STEPS, 10).sum(axis=1)
    return float((counts.argmax(axis=1) == y).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("output", nargs="?", default="digits_python.safetensors")
    parser.add_argument("--evaluate", metavar="MODEL", help="report the test accuracy of a saved model")
    arguments = parser.parse_args()
    ss.set_num_threads(1)  # small calls: threads cost more than they save
    x_train, y_train, x_test, y_test = load_digits(arguments.data)
    rng = np.random.default_rng(0)
    np.random.seed(0)  # the layers' initialisation

    if arguments.evaluate:
        model = ss.Sequential.load(arguments.evaluate)
        result = accuracy(model, x_test, y_test, rng)
        print(f"Python: model {arguments.evaluate}: test accuracy {100 * result:.1f}%")
        return 0 if result >= 0.9 else 1

    model = build_model()
    adam = ss.optim.Adam(model, lr=2e-3)
    started = time.perf_counter()
    result = 0.0
    for epoch in range(1, EPOCHS + 1):
        order = rng.permutation(len(x_train))
        losses = []
        for first in range(0, len(order), BATCH):
            batch = order[first:first + BATCH]
            model.reset_states()
            losses.append(model.train_step(adam, encode(x_train[batch], rng), y_train[batch]))
        result = accuracy(model, x_test, y_test, rng)
        print(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {100 * result:5.1f}%  "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    model.save(arguments.output)
    print(model.summary() + f"saved {arguments.output}; Python: final test accuracy {100 * result:.1f}%")
    return 0 if result >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
