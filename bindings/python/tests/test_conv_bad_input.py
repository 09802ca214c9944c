"""Bad input to the conv, pool and shape layers from Python: a clear
exception, never a crash, and the layer unchanged (weights, training record)."""
import math

import numpy as np
import pytest

from sinabs_swift import _native
from sinabs_swift import layers as L


@pytest.mark.parametrize("make", [
    lambda: L.Conv2d(3, 4, 3, groups=2),          # groups must divide the channels
    lambda: L.Conv2d(0, 4, 3),
    lambda: L.Conv2d(2, 4, 0),
    lambda: L.Conv2d(2, 4, 3, stride=0),
    lambda: L.Conv2d(2, 4, 3, padding=-1),
    lambda: L.Conv2d(2, 4, 3, dilation=(1, 0)),
    lambda: L.Conv2d(2, 4, (3, 3, 3)),
    lambda: L.Conv2d(2, 4, 3, padding=2**40),
    lambda: L.AvgPool2d(2, padding=2),            # more than half the kernel
    lambda: L.AvgPool2d(2, divisor_override=0),
    lambda: L.MaxPool2d(-1),
    lambda: L.SumPool2d(2, stride=0),
    lambda: L.Flatten(9),
    lambda: L.UnflattenTime(0),
    lambda: L.Cropping2dLayer(((-1, 0), (0, 0))),
    lambda: L.ChannelShift(1, channel_axis=1),
    lambda: L.ZeroPad2d((1, 2, 3)),
    lambda: L.Dropout(math.nan),
    lambda: L.Dropout(-0.1),
    lambda: L.Repeat(object()),
])
def test_bad_constructor_arguments_raise(make):
    with pytest.raises((ValueError, TypeError, OverflowError)):
        make()


def test_unsupported_torch_options_say_so():
    with pytest.raises(NotImplementedError):
        L.Conv2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(NotImplementedError):
        L.MaxPool2d(2, return_indices=True)
    with pytest.raises(ValueError):
        _native.create_layer("nope")
    with pytest.raises(TypeError):
        _native.create_layer("relu", 1)


def test_wrong_inputs_leave_the_layer_unchanged():
    conv = L.Conv2d(2, 3, 3).train()
    weight = np.array(conv.weight)
    good = np.ones((1, 2, 5, 5), np.float32)
    conv(good)
    for bad in [np.ones((1, 3, 5, 5), np.float32),      # channels
                np.ones((1, 2, 2, 5), np.float32),      # kernel larger than the input
                np.ones((2, 5), np.float32),
                np.ones((1, 2, 5, 5), np.float64)]:     # dtype
        with pytest.raises((ValueError, TypeError)):
            conv(bad)
    with pytest.raises(ValueError):
        conv.weight = np.ones((3, 2, 2, 2), np.float32)
    with pytest.raises(ValueError):
        conv.backward(np.ones((1, 3, 4, 4), np.float32))
    np.testing.assert_array_equal(np.asarray(conv.weight), weight)
    assert np.asarray(conv.backward(np.ones((1, 3, 3, 3), np.float32))).shape == (1, 2, 5, 5)
    with pytest.raises(RuntimeError):  # one backward per training forward
        conv.backward(np.ones((1, 3, 3, 3), np.float32))
    with pytest.raises(ValueError):
        conv.set_kernel  # noqa: B018 (exists)
        conv.native.set_kernel(9)
    with pytest.raises(ValueError):  # out aliasing the input
        L.ReLU()(good, out=good)


def test_two_input_layer_refuses_one_input_and_back():
    merge = L.Merge()
    with pytest.raises(ValueError):
        merge.native.forward(np.ones(3, np.float32))
    with pytest.raises(ValueError):
        merge(np.ones((2, 2), np.float32), np.ones(2, np.float32))
    with pytest.raises(RuntimeError):
        merge.backward(np.ones((2, 2), np.float32))
    with pytest.raises(ValueError):
        L.ReLU().native.forward_pair(np.ones(2, np.float32), np.ones(2, np.float32))
    with pytest.raises(ValueError):
        L.SumPool2d(2).native.set_kernel(1)
