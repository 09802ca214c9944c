"""Bad input to sinabs_swift.torch: a clear error that names the parameter
or the cause, and the layer unchanged (states, parameters, later calls)."""

import pytest
import torch

import sinabs_swift.torch as ss


@pytest.mark.parametrize("make,name", [
    (lambda: ss.LIF(tau_mem=-1.0), "tau_mem"),
    (lambda: ss.LIF(tau_mem=float("nan")), "tau_mem"),
    (lambda: ss.LIF(tau_mem=5.0, tau_syn=0.0), "tau_syn"),
    (lambda: ss.ExpLeak(tau_mem=float("inf")), "tau_mem"),
    (lambda: ss.ALIF(tau_mem=5.0, tau_adapt=-2.0), "tau_adapt"),
    (lambda: ss.LIF(tau_mem=5.0, spike_threshold=float("nan")), "spike_threshold"),
])
def test_bad_constructor_values_name_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("name,value,train_alphas", [
    ("tau_mem", -3.0, False), ("tau_mem", float("nan"), False), ("tau_mem", 0.0, False),
    ("alpha_mem", 1.5, True), ("alpha_mem", 0.0, True), ("alpha_mem", float("nan"), True),
    ("alpha_syn", -0.2, True),
])
def test_a_bad_trained_value_is_refused_and_the_layer_stays_as_it_was(name, value, train_alphas):
    layer = ss.LIF(tau_mem=5.0, tau_syn=3.0, train_alphas=train_alphas)
    x = torch.rand(2, 4, 3) * 2
    layer(x)
    states = {n: b.detach().clone() for n, b in layer.named_buffers()}
    getattr(layer, name).data.fill_(value)
    with pytest.raises(ValueError, match=name):
        layer(x)
    for n, b in layer.named_buffers():
        assert torch.equal(b, states[n]), n
    getattr(layer, name).data.fill_(0.5 if train_alphas else 4.0)
    layer(x)  # usable again


def test_backward_through_a_freed_graph_is_a_clear_error_and_changes_nothing():
    layer = ss.LIF(tau_mem=5.0)
    x = torch.rand(1, 5, 2, requires_grad=True)
    out = layer(x)
    out.sum().backward(retain_graph=True)
    grad = layer.tau_mem.grad.clone()
    with pytest.raises(RuntimeError, match="second time"):
        out.sum().backward()
    assert torch.equal(layer.tau_mem.grad, grad)


def test_backward_after_reset_goes_through_the_old_graph_as_in_sinabs():
    import sinabs.layers as sl
    grads = []
    for module in (sl, ss):
        layer = module.LIF(tau_mem=5.0)
        x = torch.ones(1, 5, 2, requires_grad=True)
        out = layer(x)
        layer.reset_states()
        out.sum().backward()
        grads.append(x.grad)
    assert torch.allclose(grads[0], grads[1], rtol=1e-4, atol=1e-6)


def test_a_tape_of_another_layer_is_refused():
    first, second = ss.LIF(tau_mem=5.0), ss.LIF(tau_mem=5.0)
    first._native.layer.set_training(True)
    first._native.layer.forward(torch.rand(1, 2, 3))
    tape = first._native.layer.take_tape()
    with pytest.raises(ValueError, match="another layer"):
        second._native.layer.tape_backward(tape, torch.rand(1, 2, 3))
    first._native.layer.tape_backward(tape, torch.rand(1, 2, 3))
    with pytest.raises(RuntimeError, match="already used"):
        first._native.layer.tape_backward(tape, torch.rand(1, 2, 3))


def test_wrong_state_gradient_shapes_are_refused_by_the_native_layer():
    layer = ss.IAF()
    layer._native.layer.set_training(True)
    layer._native.layer.forward(torch.rand(2, 3, 4))
    tape = layer._native.layer.take_tape()
    native = layer._native.layer
    with pytest.raises(ValueError, match="grad_states needs 1 entries"):
        native.tape_backward(tape, torch.rand(2, 3, 4), [None, None])
    with pytest.raises(Exception, match="v_mem"):
        native.tape_backward(tape, torch.rand(2, 3, 4), [torch.rand(2, 5)])
    with pytest.raises(Exception, match="recording v_mem"):
        native.tape_backward(tape, torch.rand(2, 3, 4), None, [torch.rand(2, 4)])
    native.tape_backward(tape, torch.rand(2, 3, 4), [torch.rand(2, 4)], [torch.rand(2, 3, 4)])
