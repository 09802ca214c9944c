"""sinabs_swift.torch by example: gradients against finite differences,
networks with torch connection layers, state handling across calls,
parameters updated by an optimizer, copies, and bad input."""

import copy
import io

import pytest
import sinabs.layers as sl
import torch
import torch.nn as nn

import sinabs_swift.torch as ss
from torch_parity import assert_close, run


def finite_difference(f, value, eps):
    """Central difference of the scalar f at `value` (float32, loose)."""
    return (f(value + eps) - f(value - eps)) / (2 * eps)


def test_expleak_gradients_match_finite_differences():
    # ExpLeak has no spikes: the loss is smooth in the input and in tau_mem.
    torch.manual_seed(0)
    x = torch.rand(2, 30, 4)
    upstream = torch.randn(2, 30, 4)
    layer = ss.ExpLeak(tau_mem=6.0, norm_input=True)

    def loss(tau, x=x):
        with torch.no_grad():
            layer.tau_mem.fill_(tau)
            layer.reset_states()
            return (layer(x).double() * upstream).sum().item()

    layer.reset_states()
    x_leaf = x.clone().requires_grad_(True)
    (layer(x_leaf) * upstream).sum().backward()
    analytic_tau = layer.tau_mem.grad.item()
    numeric_tau = finite_difference(loss, 6.0, 1e-2)
    assert analytic_tau == pytest.approx(numeric_tau, rel=2e-3)

    # The input gradient at a few positions (the loss is linear in x).
    for index in [(0, 0, 0), (1, 17, 2), (0, 29, 3)]:
        def loss_at(value, index=index):
            shifted = x.clone()
            shifted[index] = value
            return loss(6.0, shifted)
        numeric = finite_difference(loss_at, x[index].item(), 1e-2)
        assert x_leaf.grad[index].item() == pytest.approx(numeric, rel=1e-2, abs=1e-4)


def test_expleak_tau_gradient_equals_sinabs_autograd_with_train_alphas():
    x = torch.rand(3, 40, 5)
    upstream = torch.randn(3, 40, 5)
    reference, ours = sl.ExpLeak(tau_mem=12.0, train_alphas=True), ss.ExpLeak(12.0, train_alphas=True)
    _, gx_ref, grads_ref = run(reference, x, upstream)
    _, gx, grads = run(ours, x, upstream)
    assert_close(gx, gx_ref, "input grad")
    assert_close(grads["alpha_mem"], grads_ref["alpha_mem"], "alpha_mem grad")


def conv_snn(module, pool, batch):
    """Conv2d -> IAFSqueeze -> pool -> Flatten -> Linear -> IAFSqueeze."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, bias=False),
        module.IAFSqueeze(batch_size=batch),
        pool,
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 10),
        module.IAFSqueeze(batch_size=batch, spike_threshold=0.5),
    )


@pytest.mark.parametrize("pool", [lambda: sl.SumPool2d(2), lambda: nn.AvgPool2d(2)])
def test_conv_network_in_sequential_matches_sinabs(pool):
    batch, time = 2, 8
    torch.manual_seed(1)
    reference = conv_snn(sl, pool(), batch)
    ours = conv_snn(ss, pool(), batch)
    ours.load_state_dict(reference.state_dict())  # sinabs' state_dict loads as is
    x = (torch.rand(batch * time, 2, 8, 8) < 0.3).float() * 2
    upstream = torch.randn(batch * time, 10)
    outputs, input_grads, weight_grads = [], [], []
    for model in (reference, ours):
        leaf = x.clone().requires_grad_(True)
        out = model(leaf)
        out.backward(upstream)
        outputs.append(out)
        input_grads.append(leaf.grad)
        weight_grads.append({n: p.grad for n, p in model.named_parameters() if p.requires_grad})
    assert outputs[0].sum() > 0, "the test network should spike"
    assert_close(outputs[1], outputs[0], "output")
    assert_close(input_grads[1], input_grads[0], "input grad")
    assert sorted(weight_grads[1]) == ["0.weight", "4.bias", "4.weight"]
    for name, grad in weight_grads[0].items():
        assert_close(weight_grads[1][name], grad, name)
    assert_close(ours[1].v_mem, reference[1].v_mem, "conv IAF v_mem")


def test_forward_without_grad_keeps_no_graph():
    layer = ss.LIF(tau_mem=4.0)
    with torch.no_grad():
        out = layer(torch.rand(2, 6, 3, requires_grad=True))
    assert not out.requires_grad
    out = ss.IAF()(torch.rand(2, 6, 3))  # nothing to train in IAF, input without grad
    assert not out.requires_grad


def test_states_are_views_and_assignable():
    layer = ss.LIF(tau_mem=5.0, tau_syn=3.0)
    assert layer.v_mem.shape == (0,) and layer.shape is None
    layer(torch.rand(2, 4, 3))
    v = layer.v_mem
    v.fill_(0.25)  # in place: the native state changes
    assert torch.all(layer.v_mem == 0.25)
    layer.i_syn = torch.full((2, 3), 0.5)  # assignment copies in
    assert torch.all(layer.i_syn == 0.5)
    reference = sl.LIF(tau_mem=5.0, tau_syn=3.0)
    reference.v_mem = torch.full((2, 3), 0.25)
    reference.i_syn = torch.full((2, 3), 0.5)
    x = torch.rand(2, 4, 3)
    assert_close(layer(x), reference(x), "output from a set state")
    assert_close(layer.v_mem, reference.v_mem, "v_mem")
    layer.reset_states()
    assert torch.all(layer.v_mem == 0) and torch.all(layer.i_syn == 0)


def test_reset_states_randomize_follows_torch_seed_and_ranges():
    layer = ss.IAF(shape=(3, 4))
    torch.manual_seed(7)
    layer.reset_states(randomize=True, value_ranges={"v_mem": (-2.0, -1.0)})
    first = layer.v_mem.clone()
    torch.manual_seed(7)
    layer.reset_states(randomize=True, value_ranges={"v_mem": (-2.0, -1.0)})
    assert torch.equal(first, layer.v_mem)
    assert first.min() >= -2.0 and first.max() < -1.0 and first.std() > 0


def test_firing_rate_is_differentiable_like_sinabs():
    x = torch.rand(2, 10, 4) * 3
    grads = []
    for layer in (sl.LIF(tau_mem=4.0), ss.LIF(tau_mem=4.0)):
        leaf = x.clone().requires_grad_(True)
        layer(leaf)
        layer.firing_rate.backward()
        grads.append(leaf.grad)
    assert grads[1].abs().sum() > 0
    assert_close(grads[1], grads[0], "firing rate input grad")


def test_record_states_and_recordings():
    layer = ss.LIF(tau_mem=5.0, tau_syn=2.0, record_states=True)
    layer(torch.rand(2, 7, 3))
    assert sorted(layer.recordings) == ["i_syn", "v_mem"]
    assert layer.recordings["v_mem"].shape == (2, 7, 3)
    assert torch.equal(layer.recordings["v_mem"][:, -1], layer.v_mem)
    assert ss.LIF(tau_mem=5.0).recordings == {}


def test_optimizer_updates_reach_the_native_layer():
    x = torch.rand(2, 20, 3) * 2
    upstream = torch.randn(2, 20, 3)
    pair = [sl.LIF(tau_mem=5.0, tau_syn=4.0), ss.LIF(tau_mem=5.0, tau_syn=4.0)]
    for layer in pair:
        optimizer = torch.optim.SGD(layer.parameters(), lr=0.5)
        for _ in range(3):
            optimizer.zero_grad()
            layer.reset_states()
            (layer(x) * upstream).sum().backward()
            optimizer.step()
    assert pair[1].tau_mem.item() != 5.0
    assert_close(pair[1].tau_mem, pair[0].tau_mem, "tau_mem after 3 steps")
    assert_close(pair[1].tau_syn, pair[0].tau_syn, "tau_syn after 3 steps")


def test_deepcopy_and_pickle_keep_parameters_and_states():
    layer = ss.ALIFRecurrent(tau_mem=5.0, tau_adapt=10.0, rec_connect=nn.Linear(3, 3))
    layer(torch.rand(2, 6, 3) * 3)
    buffer = io.BytesIO()
    torch.save(layer, buffer)
    buffer.seek(0)
    clones = [copy.deepcopy(layer), torch.load(buffer, weights_only=False)]
    x = torch.rand(2, 6, 3) * 3
    v_before = layer.v_mem.clone()
    expected = layer(x)
    for clone in clones:
        assert clone._native is not layer._native
        assert torch.equal(clone.v_mem, v_before)
        assert torch.equal(clone.rec_connect.weight, layer.rec_connect.weight)
        assert clone.rec_connect is not layer.rec_connect
        assert torch.equal(clone(x), expected)
        clone.v_mem.fill_(9.0)
        assert not torch.equal(clone.v_mem, layer.v_mem)


def test_state_dict_round_trip_includes_states():
    layer = ss.LIF(tau_mem=7.0, tau_syn=2.0)
    layer(torch.rand(2, 5, 3))
    fresh = ss.LIF(tau_mem=1.0, tau_syn=1.0)
    fresh.load_state_dict(layer.state_dict())
    assert sorted(layer.state_dict()) == ["i_syn", "spike_threshold", "tau_mem", "tau_syn", "v_mem"]
    assert fresh.tau_mem.item() == 7.0
    assert torch.equal(fresh.v_mem, layer.v_mem) and torch.equal(fresh.i_syn, layer.i_syn)


def test_float64_input_is_accepted_and_gets_a_float64_gradient():
    leaf = torch.rand(2, 5, 3, dtype=torch.float64, requires_grad=True)
    out = ss.LIF(tau_mem=3.0)(leaf * 4)
    out.sum().backward()
    assert out.dtype == torch.float32 and leaf.grad.dtype == torch.float64


# --- bad input ------------------------------------------------------------------

def test_squeeze_needs_batch_size_or_num_timesteps():
    with pytest.raises(TypeError, match="batch_size or num_timesteps"):
        ss.IAFSqueeze()


def test_invalid_time_constant_is_refused():
    with pytest.raises(ValueError):
        ss.LIF(tau_mem=-1.0)


def test_unsupported_rec_connect_is_refused():
    with pytest.raises(NotImplementedError, match="square nn.Linear"):
        ss.IAFRecurrent(rec_connect=nn.Conv1d(1, 1, 3))
    with pytest.raises(NotImplementedError, match="square nn.Linear"):
        ss.IAFRecurrent(rec_connect=nn.Linear(3, 4))


def test_wrong_input_shapes_are_refused():
    with pytest.raises(ValueError):
        ss.IAFRecurrent(rec_connect=nn.Linear(3, 3))(torch.rand(2, 5, 4))
    with pytest.raises(ValueError):
        ss.IAFSqueeze(batch_size=3)(torch.rand(7, 2))
    with pytest.raises(ValueError):
        ss.LIF(tau_mem=3.0)(torch.rand(4))


def test_unsupported_activation_is_refused():
    class Custom:
        pass
    with pytest.raises(TypeError):
        ss.IAF(spike_fn=Custom)


def test_a_dropped_layer_is_freed_without_the_cycle_collector():
    # The autograd graph (held by layer.firing_rate) must not point back at
    # the module, or every dropped layer would keep its tape until gc runs.
    import gc
    import weakref
    gc.disable()
    try:
        layer = ss.LIF(tau_mem=5.0)
        x = torch.rand(2, 10, 3, requires_grad=True)
        layer(x).sum().backward()
        alive = weakref.ref(layer)
        del layer
        assert alive() is None
    finally:
        gc.enable()


def test_non_cpu_input_is_refused():
    with pytest.raises(ValueError, match="CPU"):
        ss.IAF()(torch.empty(2, 3, 4, device="meta"))


def test_outputs_kept_by_the_caller_are_never_overwritten():
    # The output memory is reused only once nobody holds the last output.
    layer = ss.IAF()
    first = layer(torch.full((1, 3, 2), 1.5))
    first_values = first.clone()
    second = layer(torch.zeros(1, 3, 2))
    assert torch.equal(first, first_values)
    assert second.data_ptr() != first.data_ptr()
    pointer = second.data_ptr()
    del second
    assert layer(torch.zeros(1, 3, 2)).data_ptr() == pointer


def test_states_can_be_given_a_new_shape():
    layer = ss.LIF(tau_mem=5.0, tau_syn=2.0)
    layer(torch.rand(2, 4, 3))
    layer.init_state_with_shape((5, 7))
    assert layer.v_mem.shape == (5, 7) and layer.i_syn.shape == (5, 7)
    layer.v_mem = torch.full((1, 2), 0.5)
    assert torch.equal(layer.v_mem, torch.full((1, 2), 0.5))
    assert torch.equal(layer.i_syn, torch.zeros(1, 2))
    reference = sl.LIF(tau_mem=5.0, tau_syn=2.0)
    reference.v_mem, reference.i_syn = torch.full((1, 2), 0.5), torch.zeros(1, 2)
    x = torch.rand(1, 6, 2) * 2
    assert_close(layer(x), reference(x), "output after a new state shape")


def _comparable(default):
    """A default value in terms that ignore which module defined it."""
    if isinstance(default, torch.Tensor):
        return ("tensor", default.tolist())
    if isinstance(default, type):
        return ("class", default.__name__)
    if hasattr(default, "__dataclass_fields__"):
        return (type(default).__name__, vars(default))
    return default


@pytest.mark.parametrize("name", ss.__all__)
def test_constructor_signature_equals_sinabs(name):
    import inspect
    import sinabs.layers.alif
    reference = getattr(sl, name, None) or getattr(sinabs.layers.alif, name)  # ALIFSqueeze
    theirs = inspect.signature(reference.__init__).parameters.values()
    ours = inspect.signature(getattr(ss, name).__init__).parameters.values()
    assert [(p.name, p.kind) for p in ours] == [(p.name, p.kind) for p in theirs]
    assert [_comparable(p.default) for p in ours] == [_comparable(p.default) for p in theirs]


def test_model_helpers_reset_and_zero_grad_every_neuron_layer():
    model = nn.Sequential(nn.Linear(3, 4), ss.LIF(tau_mem=5.0),
                          nn.Sequential(nn.Linear(4, 4), sl.IAF()), ss.ExpLeak(tau_mem=3.0))
    (model(torch.rand(2, 5, 3) * 3) ** 2).sum().backward()
    assert model[1].v_mem.abs().sum() > 0 and model[2][1].v_mem.abs().sum() > 0
    assert model[1].tau_mem.grad is not None
    ss.reset_states(model)
    ss.zero_grad(model)
    for layer in (model[1], model[2][1], model[3]):
        assert torch.all(layer.v_mem == 0)
    assert model[1].tau_mem.grad is None and model[3].tau_mem.grad is None
