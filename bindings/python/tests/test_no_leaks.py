"""Wrapping, exporting and consuming memory many times does not grow the
process: every wrap releases its buffer and every capsule its handle."""
import gc

import numpy as np
import pytest

import sinabs_swift as ss

torch = pytest.importorskip("torch")


def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def test_repeated_zero_copy_round_trips_do_not_leak():
    layer = ss.layers.IAF()
    x = np.random.default_rng(0).random((4, 10, 25_000), dtype=np.float32)  # 4 MB

    def round_trip():
        y = layer(x)
        np.asarray(y)
        torch.from_dlpack(y)
        y.__dlpack__()  # dropped unconsumed
        ss.as_tensor(y.__dlpack__(max_version=(1, 0)))
        ss.as_tensor(torch.from_numpy(x))
        layer(torch.from_numpy(x), out=torch.empty(4, 10, 25_000))
        layer.v_mem

    for _ in range(10):
        round_trip()
    gc.collect()
    before = resident_mb()
    for _ in range(200):  # a leak of any 4 MB buffer per round would show as >= 800 MB
        round_trip()
    gc.collect()
    assert resident_mb() - before < 100
