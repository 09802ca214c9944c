"""sinabs_swift.torch under the training habits that broke it (issue 8):
validation under torch.inference_mode between training steps, optimizer
steps that push a time constant out of range, complex input, double
backward and retain_graph."""

import pytest
import torch

import sinabs_swift.torch as sst


def network(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(6, 16), sst.LIF(tau_mem=10.0), torch.nn.Linear(16, 3))


def gradients(model, x):
    model.zero_grad()
    sst.reset_states(model)
    model(x).square().sum().backward()
    return [p.grad.clone() for p in model.parameters() if p.requires_grad]


def test_gradients_survive_an_inference_mode_forward_in_between():
    """The inference forward's output buffer (an inference tensor) was reused
    by the next training forward, whose output then left autograd: |dW| of
    the Linear before the LIF fell to ~0 and tau_mem.grad was None."""
    model = network()
    x = torch.rand(4, 20, 6) * 6  # after the seed: enough spikes for every gradient
    expected = gradients(model, x)
    assert all(g.abs().sum() > 0 for g in expected)
    validated = network()  # the same parameters
    with torch.inference_mode():
        validated(x)  # the first call of this shape: the layer's output buffer is made here
    for step in range(2):
        got = gradients(validated, x)
        assert validated[1].tau_mem.grad is not None
        for g, e in zip(got, expected):
            torch.testing.assert_close(g, e, rtol=0, atol=0)
        with torch.inference_mode():
            validated(x)  # and again between training steps


def test_an_optimizer_step_that_makes_tau_negative_is_reported_at_the_next_forward():
    """Deliberate difference: sinabs keeps running with alpha = exp(-1/tau) > 1
    (a membrane that grows without bound); libsinabs checks every parameter
    at use and refuses, naming it. Clamping the parameter recovers."""
    model = network()
    x = torch.rand(2, 5, 6)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    model(x).sum().backward()
    with torch.no_grad():
        model[1].tau_mem.grad.fill_(20.0)  # an overshooting step: tau 10 -> -10
    optimizer.step()
    assert model[1].tau_mem.item() < 0
    with pytest.raises(ValueError, match="tau_mem must be > 0"):
        model(x)
    with torch.no_grad():
        model[1].tau_mem.clamp_(min=1.0)
    assert model(x).shape == (2, 5, 3)


def test_complex_input_is_refused():
    with pytest.raises(TypeError, match="complex"):
        sst.LIF(tau_mem=10.0)(torch.ones(1, 2, 3, dtype=torch.complex64))


def test_retain_graph_backward_twice_says_exactly_why_not():
    lif = sst.LIF(tau_mem=10.0)
    x = torch.rand(2, 5, 4, requires_grad=True)
    loss = lif(x * 3).sum()
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    with pytest.raises(RuntimeError, match="retain_graph=True is not supported"):
        loss.backward()
    torch.testing.assert_close(x.grad, first)  # nothing was added


def test_create_graph_gives_exact_first_order_gradients_and_refuses_second_order():
    x = (torch.rand(2, 5, 4) * 3).requires_grad_()
    plain = sst.LIF(tau_mem=10.0)
    (expected,) = torch.autograd.grad(plain(x).square().sum(), x)
    lif = sst.LIF(tau_mem=10.0)
    (grad,) = torch.autograd.grad(lif(x).square().sum(), x, create_graph=True)
    torch.testing.assert_close(grad, expected, rtol=0, atol=0)
    assert grad.requires_grad  # not a silent constant
    with pytest.raises(RuntimeError, match="second-order gradients .* are not supported"):
        torch.autograd.grad(grad.sum(), x)
