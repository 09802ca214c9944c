"""The digits example (examples/python/train_digits.py) trains the same with
sinabs_swift.torch as with sinabs.layers: same initialisation, same batches,
same loss at every step of the first epoch's beginning."""

import importlib.util
from pathlib import Path

import pytest
import torch

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "train_digits.py"


def load_example():
    spec = importlib.util.spec_from_file_location("train_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loss_curve_matches_sinabs_for_the_first_steps():
    example = load_example()
    data = example.load_data()
    curves = {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny calls: threads only add contention
    try:
        for backend in ("sinabs", "swift"):
            model = example.build_model(example.neuron_module(backend), seed=3)
            curves[backend] = example.train_steps(model, data, epochs=1, max_steps=12, seed=3)
    finally:
        torch.set_num_threads(threads)
    assert len(curves["swift"]) == 12
    assert curves["swift"][0] > 1.0  # untrained: about ln(10)
    assert curves["swift"] == pytest.approx(curves["sinabs"], rel=1e-4)
    assert curves["swift"][-1] != curves["swift"][0]  # the parameters did move
