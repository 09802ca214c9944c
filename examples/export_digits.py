"""Export scikit-learn's 8x8 digits for the C and Swift examples (and the
numpy one): a small binary file that any language reads in a few lines.

    python3 examples/export_digits.py build/digits.bin

Format (little-endian): "DGT1", uint32 n_train, uint32 n_test, then
n_train + n_test records of 65 bytes: 64 pixels (0..16, row-major) and the
label (0..9). The samples are shuffled with a fixed seed; the first n_train
are the training set (75%), the rest the test set.
"""
import struct
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits


def main(path):
    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    pixels = digits.data[order].astype(np.uint8)
    labels = digits.target[order].astype(np.uint8)
    n_train = int(round(0.75 * len(labels)))
    records = np.concatenate([pixels, labels[:, None]], axis=1)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"DGT1" + struct.pack("<II", n_train, len(labels) - n_train))
        f.write(records.tobytes())
    print(f"wrote {path}: {n_train} training and {len(labels) - n_train} test digits")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/digits.bin")
