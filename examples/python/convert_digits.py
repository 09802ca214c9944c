"""ANN-to-SNN weight transfer on scikit-learn's 8x8 digits.

Trains a small conv ANN with torch, normalises its weights on training data
(sinabs_swift.normalize_weights), converts it (sinabs_swift.from_model: ReLUs
become IAFSqueeze, a spiking output is added), simulates the SNN in
libsinabs with the pixels as a constant input current, and prints both
accuracies and the synaptic operations per sample (sinabs_swift.SNNAnalyzer).
Fails (exit 1) if the SNN is more than 2 points below the ANN.

The split is examples/export_digits.py's (the same shuffle, 75% training), so
that examples/c/run_nir_digits.c, given the .nir file and build/digits.bin,
evaluates the same test set and prints the same SNN accuracy. The spiking
layers have no min_v_mem (sinabs' from_model default is -1): NIR's IF has no
lower bound, so the .nir file describes exactly the SNN simulated here.

    python examples/python/convert_digits.py [out.safetensors] [--nir out.nir]
"""
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits

import sinabs_swift as ss

STEPS = 64       # time steps per sample
BATCH = 32       # samples per SNN forward


def train_ann(x, y):
    torch.manual_seed(0)
    ann = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1, bias=False), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1, bias=False), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 2 * 2, 10, bias=False))
    optimizer = torch.optim.Adam(ann.parameters(), lr=3e-3)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(40):
        order = torch.randperm(len(xs))
        for start in range(0, len(xs), 64):
            index = order[start:start + 64]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(ann(xs[index]), ys[index]).backward()
            optimizer.step()
    return ann.eval()


def main():
    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))   # examples/export_digits.py's split
    x = (digits.images[order] / 16.0).astype(np.float32)[:, None]
    y = digits.target[order].astype(np.int64)
    n_train = int(round(0.75 * len(y)))
    x_train, x_test, y_train, y_test = x[:n_train], x[n_train:], y[:n_train], y[n_train:]

    ann = train_ann(x_train, y_train)
    with torch.no_grad():
        ann_accuracy = (ann(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean() * 100

    ours = ss.conversion._from_torch(ann)   # the ANN as a sinabs_swift.Sequential (same weights)
    ss.normalize_weights(ours, x_train, output_layers=[1, 4, 7], param_layers=[0, 3, 7], percentile=99.9)
    snn = ss.from_model(ours, batch_size=BATCH, add_spiking_output=True, min_v_mem=None)
    analyzer = ss.SNNAnalyzer(snn)

    correct, synops, batches = 0, 0.0, 0
    for start in range(0, len(x_test), BATCH):
        images = x_test[start:start + BATCH]
        labels = y_test[start:start + BATCH]
        if len(images) < BATCH:   # the squeeze layers have a fixed batch size: pad the last batch
            images = np.concatenate([images, np.zeros((BATCH - len(images),) + images.shape[1:], np.float32)])
        snn.reset_states()
        current = np.ascontiguousarray(np.repeat(images, STEPS, axis=0))   # (BATCH * STEPS, 1, 8, 8)
        counts = np.asarray(snn(current)).reshape(BATCH, STEPS, 10).sum(1)
        correct += int((counts[:len(labels)].argmax(1) == labels).sum())
        synops += analyzer.get_model_statistics()["synops"]
        batches += 1
    snn_accuracy = correct / len(y_test) * 100

    print(f"ANN accuracy {ann_accuracy:.2f}%  SNN accuracy {snn_accuracy:.2f}% ({STEPS} steps)")
    print(f"synaptic operations per sample: {synops / batches:.0f}")
    arguments = sys.argv[1:]
    if "--nir" in arguments:
        at = arguments.index("--nir")
        nir_path = arguments[at + 1]
        del arguments[at:at + 2]
        snn.save_nir(nir_path, input_shape=(1, 8, 8))   # libsinabs' own HDF5 writer
        print("saved", nir_path)
    if arguments:
        snn.save(arguments[0])
        print("saved", arguments[0])
    if snn_accuracy < ann_accuracy - 2:
        print("FAIL: the SNN is more than 2 points below the ANN")
        sys.exit(1)


if __name__ == "__main__":
    main()
