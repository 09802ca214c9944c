"""Spike counts at exact multiples of the threshold equal sinabs'. The
kernels count spikes of a power-of-two threshold by multiplying with its
exact reciprocal instead of dividing (and keep the division otherwise):
membranes sitting exactly on k x threshold are where the two would part
if the reciprocal were not exact."""
import numpy as np
import pytest
import torch

import sinabs.activation as sa
import sinabs.layers as sl
from sinabs_swift import activation as A
from sinabs_swift import layers as L


@pytest.mark.parametrize("threshold", [1.0, 0.5, 2.0, 0.25, 0.75, 3.0, 0.1])
@pytest.mark.parametrize("spike_fn", ["multi", "max"])
def test_spike_counts_at_threshold_multiples_equal_sinabs(threshold, spike_fn):
    # Membranes on k x threshold and a few ulps either side (where v / thr
    # and v x (1 / thr) truncate differently when 1 / thr is inexact), then
    # two steps without input.
    near = []
    for k in range(0, 60):
        centre = np.float32(k) * np.float32(threshold)
        below = above = centre
        near.append(centre)
        for _ in range(2):
            below, above = np.nextafter(below, np.float32(-np.inf)), np.nextafter(above, np.float32(np.inf))
            near += [below, above]
    x = np.zeros((2, 3, len(near)), np.float32)
    x[:, 0] = near
    ours_fn, theirs_fn = (A.MultiSpike, sa.MultiSpike) if spike_fn == "multi" else (A.MaxSpike(3), sa.MaxSpike(3))
    ours = L.IAF(spike_threshold=threshold, spike_fn=ours_fn)
    theirs = sl.IAF(spike_threshold=threshold, spike_fn=theirs_fn)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(np.asarray(ours(x)), expected)
    np.testing.assert_array_equal(np.asarray(ours.v_mem), theirs.v_mem.numpy())
    assert expected.max() >= 2  # multi-spike counts do occur
