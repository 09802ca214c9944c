"""Train a small spiking network on scikit-learn's 8x8 digits with BPTT.

The neuron layers come from `sinabs_swift.torch` (Swift forward and exact
fused backward); the connections are plain torch layers. Pass
`--backend sinabs` to run the very same script on the real sinabs layers:
same initialisation, same data order, same loss curve.

    python3 examples/python/train_digits.py            # ours
    python3 examples/python/train_digits.py --backend sinabs

Encoding: each image (64 pixels scaled to [0, 1]) is fed as a constant input
current for T time steps; the class scores are the output layer's spike
counts summed over time.
"""

import argparse
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def neuron_module(backend):
    """The module that provides IAF/LIF/...: ours or the real sinabs."""
    if backend == "sinabs":
        import sinabs.layers as sl
    else:
        import sinabs_swift.torch as sl
    return sl


def load_data(seed=0):
    """(x_train, y_train, x_test, y_test) as float32 / int64 tensors."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, random_state=seed, stratify=y
    )
    return (torch.from_numpy(x_train), torch.from_numpy(y_train),
            torch.from_numpy(x_test), torch.from_numpy(y_test))


def encode(images, time_steps):
    """(B, 64) pixels -> (B, T, 64) constant input current."""
    return images.unsqueeze(1).expand(-1, time_steps, -1).contiguous()


def build_model(sl, hidden=128, seed=0):
    """Linear -> LIF -> Linear -> IAF; torch init from `seed`."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(64, hidden),
        sl.LIF(tau_mem=10.0),
        nn.Linear(hidden, 10),
        sl.IAF(),
    )


def reset(model):
    for layer in model:
        if hasattr(layer, "reset_states"):
            layer.reset_states()


def scores(model, images, time_steps):
    """Spike counts of the output layer, (B, 10)."""
    reset(model)
    return model(encode(images, time_steps)).sum(1)


def train_steps(model, data, epochs, batch_size=32, time_steps=20, lr=2e-3, seed=0,
                max_steps=None, on_epoch=None):
    """Adam on cross-entropy of the spike counts; returns the loss per step.

    The batch order comes from a generator seeded with `seed`, so two models
    with the same initialisation see the same batches.
    """
    x_train, y_train, x_test, y_test = data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        permutation = torch.randperm(len(x_train), generator=order)
        for start in range(0, len(x_train), batch_size):
            index = permutation[start:start + batch_size]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(
                scores(model, x_train[index], time_steps), y_train[index])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if max_steps is not None and len(losses) >= max_steps:
                return losses
        if on_epoch is not None:
            on_epoch(epoch, losses)
    return losses


def accuracy(model, images, labels, time_steps=20):
    with torch.no_grad():
        predicted = scores(model, images, time_steps).argmax(1)
    return (predicted == labels).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["swift", "sinabs"], default="swift")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--time-steps", type=int, default=20)
    # One thread by default: a call is only 32 x 20 x 128 neuron-steps, where
    # forking threads costs more than it saves (for torch and for libsinabs).
    parser.add_argument("--threads", type=int, default=1)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    if arguments.backend == "swift":
        import sinabs_swift

        sinabs_swift.set_num_threads(arguments.threads)

    data = load_data()
    model = build_model(neuron_module(arguments.backend))
    started = time.perf_counter()
    best = 0.0

    def report(epoch, losses):
        nonlocal best
        steps = len(losses) // (epoch + 1)
        train_loss = float(np.mean(losses[-steps:]))
        test_accuracy = accuracy(model, data[2], data[3], arguments.time_steps)
        best = max(best, test_accuracy)
        print(f"epoch {epoch + 1:2d}  loss {train_loss:.4f}  "
              f"test accuracy {100 * test_accuracy:5.1f}%  "
              f"({time.perf_counter() - started:5.1f} s)", flush=True)

    train_steps(model, data, arguments.epochs, time_steps=arguments.time_steps,
                on_epoch=report)
    print(f"backend {arguments.backend}: best test accuracy {100 * best:.1f}% "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
