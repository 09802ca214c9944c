"""sinabs_swift.Sequential trained without torch: forward/backward and every
gradient equal torch + sinabs; named parameters and gradients share memory;
losses, optimizers and clipping follow torch exactly; model files."""
import numpy as np
import pytest
import torch

import sinabs.layers as sl
import sinabs_swift as ss

RTOL, ATOL = 1e-4, 1e-5


def pair(seed=0, squeeze_batch=None, hidden=16):
    """The same Linear -> LIF -> Linear -> IAF network, ours and torch + sinabs."""
    torch.manual_seed(seed)
    if squeeze_batch:
        reference = torch.nn.Sequential(torch.nn.Linear(6, hidden), sl.LIFSqueeze(tau_mem=5.0, batch_size=squeeze_batch),
                                        torch.nn.Linear(hidden, 3), sl.IAFSqueeze(batch_size=squeeze_batch))
        ours = ss.Sequential(ss.Linear(6, hidden), ss.layers.LIFSqueeze(tau_mem=5.0, batch_size=squeeze_batch),
                             ss.Linear(hidden, 3), ss.layers.IAFSqueeze(batch_size=squeeze_batch))
    else:
        reference = torch.nn.Sequential(torch.nn.Linear(6, hidden), sl.LIF(tau_mem=5.0),
                                        torch.nn.Linear(hidden, 3), sl.IAF())
        ours = ss.Sequential(ss.Linear(6, hidden), ss.layers.LIF(tau_mem=5.0), ss.Linear(hidden, 3), ss.layers.IAF())
    with torch.no_grad():
        reference[0].weight.mul_(3)  # enough drive to spike
        reference[0].bias.add_(1.5)
        reference[2].weight.mul_(3)
        reference[2].bias.add_(0.5)
    for name, value in reference.named_parameters():
        np.asarray(dict(ours.named_parameters())[name])[...] = value.detach().numpy()
    return ours, reference


@pytest.mark.parametrize("squeeze_batch", [None, 3])
def test_forward_backward_and_every_gradient_equal_torch(rng, squeeze_batch):
    ours, reference = pair(squeeze_batch=squeeze_batch)
    shape = (3 * 8, 6) if squeeze_batch else (3, 8, 6)
    x = rng.uniform(0, 1, shape).astype(np.float32)
    x_torch = torch.from_numpy(x.copy()).requires_grad_(True)
    expected = reference(x_torch)
    ours.train()
    output = np.asarray(ours(x))
    np.testing.assert_array_equal(output, expected.detach().numpy())
    assert output.sum() > 0
    gy = rng.standard_normal(output.shape).astype(np.float32)
    expected.backward(torch.from_numpy(gy))
    gx = np.asarray(ours.backward(gy))
    np.testing.assert_allclose(gx, x_torch.grad.numpy(), rtol=RTOL, atol=ATOL)
    grads = {name: np.asarray(g) for name, g in ours.named_grads()}
    expected_grads = {name: p.grad.numpy() for name, p in reference.named_parameters() if p.grad is not None}
    assert set(grads) == set(expected_grads) == {"0.weight", "0.bias", "1.tau_mem", "2.weight", "2.bias"}
    for name, value in expected_grads.items():
        np.testing.assert_allclose(grads[name], value, rtol=RTOL, atol=ATOL, err_msg=name)


def test_parameters_and_gradients_share_memory(rng):
    ours, _ = pair()
    names = [name for name, _ in ours.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.tau_mem", "1.spike_threshold", "2.weight", "2.bias",
                     "3.spike_threshold"]
    weight = dict(ours.named_parameters())["2.weight"]
    np.asarray(weight)[...] = 0
    np.asarray(dict(ours.named_parameters())["2.bias"])[...] = 0
    assert np.asarray(ours(rng.uniform(0, 1, (2, 4, 6)).astype(np.float32))).sum() == 0
    ours.train()
    ours(rng.uniform(0, 1, (2, 4, 6)).astype(np.float32))
    ours.backward(np.ones((2, 4, 3), np.float32))
    grad = dict(ours.named_grads())["0.bias"]
    np.asarray(grad)[...] = 5
    assert np.all(np.asarray(dict(ours.named_grads())["0.bias"]) == 5)
    ours.zero_grad()
    assert np.all(np.asarray(grad) == 0)


def test_optimizers_follow_torch_over_several_steps(rng):
    configurations = [
        (ss.optim.SGD, torch.optim.SGD, dict(lr=0.1)),
        (ss.optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
        (ss.optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
        (ss.optim.Adam, torch.optim.Adam, dict(lr=0.01)),
        (ss.optim.Adam, torch.optim.Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    ]
    for ours_class, torch_class, options in configurations:
        ours, reference = pair(seed=1)
        params = [p for p in reference.parameters() if p.requires_grad]
        optimizer = ours_class(ours, **options)
        expected_optimizer = torch_class(params, **options)
        for step in range(5):
            for name, p in reference.named_parameters():
                if not p.requires_grad:
                    continue
                g = np.array(rng.standard_normal(tuple(p.shape)), dtype=np.float32)
                p.grad = torch.from_numpy(g.copy())
                np.asarray(dict(ours.named_grads())[name])[...] = g
            optimizer.step()
            expected_optimizer.step()
            for name, p in reference.named_parameters():
                np.testing.assert_allclose(np.asarray(dict(ours.named_parameters())[name]), p.detach().numpy(),
                                           rtol=1e-5, atol=1e-6, err_msg=f"{ours_class.__name__} {options} step {step} {name}")


def test_clipping_follows_torch(rng):
    ours, reference = pair()
    for name, p in reference.named_parameters():
        if p.requires_grad:
            g = np.array(rng.standard_normal(tuple(p.shape)) * 3, dtype=np.float32)
            p.grad = torch.from_numpy(g.copy())
            np.asarray(dict(ours.named_grads())[name])[...] = g
    expected = torch.nn.utils.clip_grad_norm_([p for p in reference.parameters() if p.grad is not None], 2.0)
    assert ss.optim.clip_grad_norm_(ours, 2.0) == pytest.approx(expected.item(), rel=1e-5)
    for name, g in ours.named_grads():
        np.testing.assert_allclose(np.asarray(g), dict(reference.named_parameters())[name].grad.numpy(), rtol=1e-5,
                                   atol=1e-7)


@pytest.mark.parametrize("over_time", ["sum", "mean"])
@pytest.mark.parametrize("shape", [(4, 5, 3), (20, 3)])
def test_cross_entropy_follows_torch(rng, over_time, shape):
    y = rng.uniform(0, 3, shape).astype(np.float32)
    labels = np.array([2, 0, 1, 1])
    value, grad = ss.losses.cross_entropy(y, labels, over_time=over_time)
    y_torch = torch.from_numpy(y.copy()).requires_grad_(True)
    per_sample = y_torch.reshape(4, 5, 3)
    scores = per_sample.sum(1) if over_time == "sum" else per_sample.mean(1)
    expected = torch.nn.functional.cross_entropy(scores, torch.from_numpy(labels))
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_allclose(np.asarray(grad), y_torch.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_mse_follows_torch(rng):
    y, t = rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((2, 3, 4)).astype(np.float32)
    value, grad = ss.losses.mse_loss(y, t)
    y_torch = torch.from_numpy(y.copy()).requires_grad_(True)
    expected = torch.nn.functional.mse_loss(y_torch, torch.from_numpy(t))
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_allclose(np.asarray(grad), y_torch.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_train_step_equals_the_steps_by_hand(rng):
    a, _ = pair(seed=2)
    b, _ = pair(seed=2)
    x = rng.uniform(0, 1, (4, 6, 6)).astype(np.float32)
    labels = np.array([0, 1, 2, 1])
    opt_a, opt_b = ss.optim.Adam(a, lr=0.01, max_grad_norm=0.5), ss.optim.Adam(b, lr=0.01)
    for _ in range(3):
        a.reset_states()
        loss = a.train_step(opt_a, x, labels)
        b.reset_states()
        opt_b.zero_grad()
        b.train()
        value, gy = ss.losses.cross_entropy(b(x), labels)
        b.backward(gy)
        ss.optim.clip_grad_norm_(b, 0.5)
        opt_b.step()
        b.eval()
        assert loss == pytest.approx(value, rel=1e-6)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(np.asarray(p), np.asarray(q), err_msg=name)
    assert not a.training


def test_summary_and_build(rng):
    ours, _ = pair()
    ours.build((2, 5, 6))
    assert "(2, 5, 16)" in ours.summary()
    with pytest.raises(ValueError, match=r"layer 0 \(Linear\)"):
        ours.build((2, 5, 7))
    ours(rng.uniform(0, 1, (2, 5, 6)).astype(np.float32))
    last = ours.summary().splitlines()[-1]
    assert last.startswith("3  IAF") and last.split()[-1] == f"{ours[3].firing_rate:.4f}"


def test_bad_inputs_are_clear_errors(rng):
    ours, _ = pair()
    v_mem = None
    ours(rng.uniform(0, 1, (2, 4, 6)).astype(np.float32))
    v_mem = np.asarray(ours[1].v_mem).copy()
    with pytest.raises(ValueError, match="layer 0"):
        ours(np.zeros((2, 4, 5), np.float32))
    np.testing.assert_array_equal(np.asarray(ours[1].v_mem), v_mem)
    with pytest.raises(RuntimeError, match="training forward"):
        ss.Sequential(ss.Linear(2, 2)).backward(np.zeros((1, 2), np.float32))
    for bad in (dict(lr=float("nan")), dict(lr=-1), dict(momentum=float("inf")), dict(nesterov=True)):
        with pytest.raises(ValueError):
            ss.optim.SGD(ours, **bad)
    for bad in (dict(betas=(1.0, 0.9)), dict(eps=float("nan")), dict(max_grad_norm=0.0)):
        with pytest.raises(ValueError):
            ss.optim.Adam(ours, **bad)
    with pytest.raises(TypeError):
        ss.optim.SGD(ours, lr=0.1, typo=1)
    with pytest.raises(ValueError, match="class indices"):
        ss.losses.cross_entropy(np.zeros((2, 3, 4), np.float32), np.array([0, 4]))
    with pytest.raises(ValueError):
        ss.losses.cross_entropy(np.zeros((2, 3, 4), np.float32), np.array([0, 1]), over_time="max")
    with pytest.raises(ValueError):
        ss.losses.mse_loss(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError):
        ss.optim.clip_grad_norm_(ours, float("nan"))
    with pytest.raises(ValueError):
        ours.train_step(ss.optim.SGD(ours), np.zeros((2, 4, 6), np.float32), np.array([0, 1]), loss="hinge")
    with pytest.raises(ValueError, match="another model"):
        ours.train_step(ss.optim.SGD(pair()[0]), np.zeros((2, 4, 6), np.float32), np.array([0, 1]))
    with pytest.raises(TypeError):
        ss.optim.SGD(object())


def test_from_description_builds_a_conv_snn_that_trains(rng):
    ss.manual_seed(0)  # the layers' own initialisation
    layer = ss.layers.from_description
    model = ss.Sequential(layer("Conv2d", in_channels=1, out_channels=4, kernel_size=(3, 3), padding=1),
                          layer("IAFSqueeze", num_timesteps=5), layer("SumPool2d", kernel_size=2), layer("Flatten"),
                          layer("Linear", in_features=64, out_features=3), layer("IAFSqueeze", num_timesteps=5))
    assert [name for name, _ in model.named_grads()] == ["0.weight", "0.bias", "4.weight", "4.bias"]
    parameters = dict(model.named_parameters())
    np.asarray(parameters["0.weight"])[...] = rng.uniform(0, 0.4, (4, 1, 3, 3))  # the hidden layer spikes
    np.asarray(parameters["4.weight"])[...] = rng.uniform(-0.3, 0.6, (3, 64))
    x = (rng.random((2 * 5, 1, 8, 8)) < 0.5).astype(np.float32)
    optimizer = ss.optim.Adam(model, lr=0.01)
    losses = [model.train_step(optimizer, x, np.array([0, 2]))]
    assert all(np.any(np.asarray(g) != 0) for _, g in model.named_grads()), "gradients reach every layer"
    losses += [model.train_step(optimizer, x, np.array([0, 2])) for _ in range(19)]
    assert np.asarray(model(x)).sum() > 0
    assert min(losses[1:]) < losses[0]
    with pytest.raises(ValueError, match="unknown layer kind"):
        layer("Conv9d")
    with pytest.raises(ValueError, match="tau_mem"):
        layer("LIF", tau_mem=float("nan"))
    with pytest.raises(ValueError, match="typo"):
        layer("IAF", typo=1)


@pytest.mark.parametrize("squeeze_batch", [None, 4])
def test_training_steps_follow_torch_and_sinabs(rng, squeeze_batch):
    """Five Adam steps on cross-entropy of summed spikes: ours through one
    train_step call each, the reference through torch autograd + torch.optim."""
    ours, reference = pair(seed=5, squeeze_batch=squeeze_batch)
    shape = (4 * 6, 6) if squeeze_batch else (4, 6, 6)
    labels = np.array([0, 2, 1, 2])
    optimizer = ss.optim.Adam(ours, lr=0.01)
    expected_optimizer = torch.optim.Adam([p for p in reference.parameters() if p.requires_grad], lr=0.01)
    for step in range(5):
        x = rng.uniform(0, 1, shape).astype(np.float32)
        ours.reset_states()
        loss = ours.train_step(optimizer, x, labels)
        for module in reference:
            if hasattr(module, "reset_states"):
                module.reset_states()
        expected_optimizer.zero_grad()
        scores = reference(torch.from_numpy(x)).reshape(4, 6, 3).sum(1)
        expected = torch.nn.functional.cross_entropy(scores, torch.from_numpy(labels))
        expected.backward()
        expected_optimizer.step()
        assert loss == pytest.approx(expected.item(), rel=1e-5), f"step {step}"
        for name, p in reference.named_parameters():
            np.testing.assert_allclose(np.asarray(dict(ours.named_parameters())[name]), p.detach().numpy(),
                                       rtol=1e-4, atol=1e-5, err_msg=f"step {step} {name}")
