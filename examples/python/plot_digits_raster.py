"""Raster plot of a trained spiking network: train_digits.py's network
(Linear -> LIF -> Linear -> IAF, sinabs_swift.torch neurons) is trained, then
shown test digits; for each, the hidden LIF neurons' and the output IAF
neurons' spikes over time, and which output neuron fired most (the answer).

    python3 examples/python/plot_digits_raster.py [--out build/demo/digits_raster.png]

Needs torch, scikit-learn and matplotlib (pip install "sinabs-swift[examples]").
"""
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import train_digits  # noqa: E402  (beside this file)


def layer_spikes(model, image, time_steps):
    """{hidden, output}: (time, neurons) spike counts for one image."""
    train_digits.reset(model)
    recorded = {}
    with torch.no_grad():
        x = train_digits.encode(image.unsqueeze(0), time_steps)
        for index, layer in enumerate(model):
            x = layer(x)
            if index == 1:
                recorded["hidden"] = x[0].numpy().copy()
            if index == 3:
                recorded["output"] = x[0].numpy().copy()
    return recorded


def raster(axis, spikes, color, size):
    """One tick per (step, neuron) that spiked."""
    steps, neurons = np.nonzero(spikes)
    axis.scatter(steps, neurons, s=size, marker="|", color=color, linewidths=1.6)
    axis.set_xticks(range(0, spikes.shape[0], 2))
    axis.set_xlim(-0.5, spikes.shape[0] - 0.5)
    axis.set_ylim(-0.5, spikes.shape[1] - 0.5)


def plot(path, epochs=8, time_steps=20, samples=(0, 1, 2)):
    torch.set_num_threads(1)
    data = train_digits.load_data()
    model = train_digits.build_model(train_digits.neuron_module("swift"))
    train_digits.train_steps(model, data, epochs, time_steps=time_steps)
    accuracy = train_digits.accuracy(model, data[2], data[3], time_steps)
    x_test, y_test = data[2], data[3]

    figure, axes = plt.subplots(len(samples), 3, figsize=(12, 2.9 * len(samples)),
                                gridspec_kw={"width_ratios": [1, 3, 3]})
    for row, index in enumerate(samples):
        spikes = layer_spikes(model, x_test[index], time_steps)
        counts = spikes["output"].sum(0)
        answer = int(counts.argmax())
        image_axis, hidden_axis, output_axis = axes[row]
        image_axis.imshow(x_test[index].reshape(8, 8), cmap="gray_r")
        image_axis.set_title(f"test digit: {int(y_test[index])}")
        image_axis.axis("off")
        raster(hidden_axis, spikes["hidden"], "tab:blue", 30)
        hidden_axis.set_ylabel("hidden LIF neuron")
        hidden_axis.set_title(f"hidden layer: {int(spikes['hidden'].sum())} spikes")
        raster(output_axis, spikes["output"], "dimgray", 120)
        steps = np.nonzero(spikes["output"][:, answer])[0]
        output_axis.scatter(steps, np.full(len(steps), answer), marker="|", s=120, linewidths=2.5,
                            color="tab:red")
        output_axis.set_yticks(range(10))
        output_axis.set_ylabel("output IAF neuron (class)")
        output_axis.set_title(f"output layer: answer {answer} (red, {int(counts[answer])} spikes)")
        for axis in (hidden_axis, output_axis):
            axis.set_xlabel("time step")
    figure.suptitle(f"Spikes of a trained SNN on 8x8 digits ({epochs} epochs of BPTT, "
                    f"test accuracy {100 * accuracy:.1f}%)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/demo/digits_raster.png"))
    parser.add_argument("--epochs", type=int, default=8)
    arguments = parser.parse_args()
    accuracy = plot(arguments.out, arguments.epochs)
    print(f"wrote {arguments.out} (test accuracy {100 * accuracy:.1f}%)")


if __name__ == "__main__":
    main()
