"""Live parity of the conv, pool and shape layers against torch / sinabs over
random configurations: the output and every gradient (input, weight, bias)
for loss = sum(output * g), with the same parameters on both sides. Conv2d
runs both kernels (dense and event-driven) on spike-like and float inputs."""
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sinabs = pytest.importorskip("sinabs")
import sinabs.layers as sl  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from sinabs_swift import layers as L  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5


def compare(ours, theirs, x, params=(), scaled=False):
    """Forward and backward of `ours` and the torch module `theirs` on x.
    `scaled`: weight gradients (sums over many samples and pixels, where
    float32 rounding grows with the sum) to 1e-4 of their largest entry."""
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    g = np.random.default_rng(0).standard_normal(tuple(yt.shape)).astype(np.float32)
    (yt * torch.tensor(g)).sum().backward()
    ours.train()
    y = np.asarray(ours(x))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=RTOL, atol=ATOL)
    gx = np.asarray(ours.backward(g))
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    for name, tensor in params:
        expected = tensor.grad.numpy()
        atol = 1e-4 * max(1.0, float(np.abs(expected).max())) if scaled else 1e-4
        np.testing.assert_allclose(np.asarray(ours.grad(name)), expected, rtol=RTOL, atol=atol)


def conv_config(seed):
    r = random.Random(seed)
    groups = r.choice([1, 1, 1, 2, 3])
    cin, cout = groups * r.randint(1, 3), groups * r.randint(1, 3)
    kernel = (r.randint(1, 4), r.randint(1, 4))
    config = dict(in_channels=cin, out_channels=cout, kernel_size=kernel if r.random() < 0.5 else kernel[0],
                  stride=(r.randint(1, 3), r.randint(1, 3)), padding=(r.randint(0, 2), r.randint(0, 2)),
                  dilation=(r.randint(1, 2), r.randint(1, 2)), groups=groups, bias=r.random() < 0.6)
    shape = (r.randint(1, 4), cin, r.randint(9, 15), r.randint(9, 15))
    return config, shape, r.choice(["spikes", "floats"]), r.choice(["dense", "sparse", "auto"])


def conv_input(rng, shape, data):
    """Spike counts (10% non-zero) or standard normal floats."""
    if data == "spikes":
        return ((rng.random(shape) < 0.1) * rng.integers(1, 3, shape)).astype(np.float32)
    return rng.standard_normal(shape).astype(np.float32)


def conv_like(theirs, config, kernel):
    """Our Conv2d with torch's parameters and the given kernel, and the
    (name, torch parameter) pairs whose gradients to compare."""
    ours = L.Conv2d(**config)
    ours.weight = theirs.weight.detach().numpy()
    if config["bias"]:
        ours.bias = theirs.bias.detach().numpy()
    ours.set_kernel(kernel)
    return ours, [("weight", theirs.weight)] + ([("bias", theirs.bias)] if config["bias"] else [])


@pytest.mark.parametrize("seed", range(120))
def test_conv2d_matches_torch(seed):
    config, shape, data, kernel = conv_config(seed)
    x = conv_input(np.random.default_rng(seed), shape, data)
    theirs = torch.nn.Conv2d(**config)
    ours, params = conv_like(theirs, config, kernel)
    compare(ours, theirs, x, params)


def pool_config(seed):
    r = random.Random(seed)
    kind = r.choice(["avg", "max", "sum"])
    kernel = (r.randint(1, 4), r.randint(1, 4))
    stride = r.choice([None, (r.randint(1, 3), r.randint(1, 3))])
    padding = (r.randint(0, kernel[0] // 2), r.randint(0, kernel[1] // 2))
    ceil_mode = r.random() < 0.3
    shape = (r.randint(1, 3), r.randint(1, 3), r.randint(6, 12), r.randint(6, 12))
    if kind == "avg":
        config = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                      count_include_pad=r.random() < 0.5,
                      divisor_override=r.choice([None, None, r.randint(1, 5)]))
        return L.AvgPool2d(**config), torch.nn.AvgPool2d(**config), shape, "floats"
    if kind == "max":
        config = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                      dilation=(r.randint(1, 2), r.randint(1, 2)))
        return L.MaxPool2d(**config), torch.nn.MaxPool2d(**config), shape, "floats"
    config = dict(kernel_size=kernel, stride=stride, ceil_mode=ceil_mode)
    return L.SumPool2d(**config), sl.SumPool2d(**config), shape, r.choice(["floats", "spikes"])


@pytest.mark.parametrize("seed", range(100))
def test_pools_match_torch(seed):
    try:
        ours, theirs, shape, data = pool_config(seed)
        rng = np.random.default_rng(seed)
        x = ((rng.random(shape) < 0.2) * 1.0).astype(np.float32) if data == "spikes" \
            else rng.standard_normal(shape).astype(np.float32)
        theirs(torch.tensor(x))
    except RuntimeError as error:  # torch refuses this geometry: so must we
        with pytest.raises((ValueError, RuntimeError)):
            ours(x)
        pytest.skip(f"torch refuses: {error}")
    compare(ours, theirs, x)


@pytest.mark.parametrize("seed", range(40))
def test_shape_layers_match_sinabs(seed):
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    shape = (r.randint(1, 3), r.randint(1, 4), r.randint(3, 6), r.randint(3, 6))
    x = rng.standard_normal(shape).astype(np.float32)
    choice = seed % 7
    if choice == 0:
        start, end = r.choice([(1, -1), (0, 1), (0, -1), (-3, -2), (2, 3)])
        ours, theirs = L.Flatten(start, end), torch.nn.Flatten(start, end)
    elif choice == 1:
        crop = ((r.randint(0, 2), r.randint(0, 1)), (r.randint(0, 1), r.randint(0, 2)))
        ours, theirs = L.Cropping2dLayer(crop), sl.Cropping2dLayer(crop)
    elif choice == 2:
        shift = r.randint(0, 3)
        ours, theirs = L.ChannelShift(shift), sl.ChannelShift(shift)
    elif choice == 3:
        pad = tuple(r.randint(-1, 2) for _ in range(4))
        ours, theirs = L.ZeroPad2d(pad), torch.nn.ZeroPad2d(pad)
    elif choice == 4:
        ours, theirs = L.ReLU(), torch.nn.ReLU()
    elif choice == 5:
        x = x.reshape(shape[0], shape[1], -1)
        ours, theirs = L.FlattenTime(), sl.FlattenTime()
    else:
        x = x.reshape(shape[0] * shape[1], shape[2], shape[3])
        ours, theirs = L.UnflattenTime(shape[0]), sl.UnflattenTime(shape[0])
    compare(ours, theirs, x)


def test_merge_matches_sinabs():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    b = rng.standard_normal((2, 4, 3, 5)).astype(np.float32)
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    yt = sl.Merge()(at, bt)
    g = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    (yt * torch.tensor(g)).sum().backward()
    merge = L.Merge().train()
    np.testing.assert_allclose(np.asarray(merge(a, b)), yt.detach().numpy(), rtol=RTOL, atol=ATOL)
    ga, gb = merge.backward(g)
    np.testing.assert_allclose(np.asarray(ga), at.grad.numpy())
    np.testing.assert_allclose(np.asarray(gb), bt.grad.numpy())


def test_repeat_matches_sinabs():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 3, 3, padding=1)
    ours_conv = L.Conv2d(2, 3, 3, padding=1)
    ours_conv.weight = conv.weight.detach().numpy()
    ours_conv.bias = conv.bias.detach().numpy()
    x = np.random.default_rng(1).standard_normal((2, 4, 2, 6, 6)).astype(np.float32)
    compare(L.Repeat(ours_conv), sl.Repeat(conv), x, [("module.weight", conv.weight), ("module.bias", conv.bias)])


def test_dropout_keeps_torch_statistics():
    x = np.ones((200, 100), np.float32)
    layer = L.Dropout(0.3)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)  # eval: identity, as torch
    y = np.asarray(layer.train()(x))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.02
    np.testing.assert_array_equal(np.asarray(layer.backward(x)), y)


def same_width_config(seed):
    """Stride-1 geometries whose output keeps the input's width (Conv2d moves
    their patch rows as whole shifted planes), with enough samples and
    channels to run on several threads."""
    r = random.Random(1000 + seed)
    kw, dw = r.choice([(1, 1), (3, 1), (3, 2), (5, 1), (2, 2), (4, 2)])
    kh = r.randint(1, 4)
    groups = r.choice([1, 1, 2])
    cin, cout = groups * r.randint(1, 8), groups * r.randint(1, 8)
    config = dict(in_channels=cin, out_channels=cout, kernel_size=(kh, kw), stride=1,
                  padding=(r.randint(0, 2), dw * (kw - 1) // 2), dilation=(r.randint(1, 2), dw),
                  groups=groups, bias=r.random() < 0.5)
    shape = (r.choice([3, 40]), cin, r.randint(5, 20), r.choice([1, 2, 3, 7, 17, 34]))
    return config, shape


@pytest.mark.parametrize("seed", range(60))
def test_same_width_conv2d_matches_torch(seed):
    config, shape = same_width_config(seed)
    rng = np.random.default_rng(seed)
    theirs = torch.nn.Conv2d(**config)
    if shape[2] + 2 * config["padding"][0] < config["dilation"][0] * (config["kernel_size"][0] - 1) + 1:
        pytest.skip("window taller than the padded input")
    assert theirs(torch.zeros(shape)).shape[-1] == shape[-1]
    for data in ("spikes", "floats"):
        x = conv_input(rng, shape, data)
        for kernel in ("dense", "sparse"):
            theirs.zero_grad()
            ours, params = conv_like(theirs, config, kernel)
            compare(ours, theirs, x, params, scaled=True)


@pytest.mark.parametrize("out_channels", [16, 32])
@pytest.mark.parametrize("stride,padding,dilation", [(1, 1, 1), (1, 0, 1), (2, 1, 1), (1, 2, 2), (1, 1, 2)])
def test_event_driven_3x3_weight_gradient_matches_torch(out_channels, stride, padding, dilation):
    """The 3x3 kernels with 16 or 32 outputs whose weight gradient keeps each
    input channel's accumulator in registers, interior and border events."""
    rng = np.random.default_rng(out_channels + 10 * stride + 100 * padding + 1000 * dilation)
    config = dict(in_channels=5, out_channels=out_channels, kernel_size=3, stride=stride, padding=padding,
                  dilation=dilation, bias=False)
    theirs = torch.nn.Conv2d(**config)
    ours, params = conv_like(theirs, config, "sparse")
    compare(ours, theirs, conv_input(rng, (24, 5, 13, 11), "spikes"), params, scaled=True)
