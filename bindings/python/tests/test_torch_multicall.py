"""Autograd across calls, as in sinabs: every forward call owns its tape, so
any number of calls may precede a backward, a layer may appear several times
in one graph, and states carry the graph from call to call until they are
detached or reset. Typical sinabs code with the import swapped, against live
sinabs; and two chunks against one call over the concatenated time."""

import resource

import pytest
import sinabs.layers as sl
import torch

import sinabs_swift.torch as ss
from torch_parity import assert_close, build_pair, make_input, random_config, state_names

# ALIF with tau_syn is left out: sinabs' ALIF restarts i_syn from 0 at every
# call (a deliberate difference, see torch_parity.py), so its second call differs.
CONFIGS = [seed for seed in range(120)
           if not (random_config(seed)[0] == "ALIF" and "tau_syn" in random_config(seed)[1])][:60]


def grads_of(layer, leaves):
    return ([leaf.grad for leaf in leaves],
            {n: p.grad for n, p in layer.named_parameters() if p.requires_grad})


@pytest.mark.parametrize("seed", CONFIGS)
def test_loss_over_several_calls_matches_sinabs(seed):
    """Three calls, a loss on each output and on the final v_mem, one backward:
    the gradient reaches every call's input and the parameters through the
    carried states."""
    model, kwargs, form, trailing = random_config(seed)
    batch = 2
    reference, ours = build_pair(model, kwargs, form, trailing, batch, seed)
    scale = 3.0 if kwargs.get("norm_input", model in ("LIF", "ALIF")) else 0.8
    chunks = [make_input(form, batch, 7, trailing, scale, seed + k) for k in range(3)]
    results = []
    for layer in (reference, ours):
        leaves = [x.clone().requires_grad_(True) for x, _ in chunks]
        loss = sum((layer(leaf) * grad).sum() for leaf, (_, grad) in zip(leaves, chunks))
        loss = loss + (layer.v_mem ** 2).sum() * 0.1
        loss.backward()
        results.append((grads_of(layer, leaves), {n: getattr(layer, n) for n in state_names(layer)}))
    (ref_inputs, ref_params), ref_states = results[0]
    (inputs, params), states = results[1]
    atol = 1e-4 if form == "recurrent" else 1e-5
    what = f"{type(ours).__name__}{kwargs}"
    for k, (grad, ref_grad) in enumerate(zip(inputs, ref_inputs)):
        assert_close(grad, ref_grad, f"{what} input grad of call {k}", atol)
    assert sorted(params) == sorted(ref_params)
    for name, grad in ref_params.items():
        assert_close(params[name], grad, f"{what} grad {name}", atol)
    for name, state in ref_states.items():
        if not (model == "ALIF" and name == "i_syn"):
            assert_close(states[name], state, f"{what} state {name}")


@pytest.mark.parametrize("make", [
    lambda: ss.IAF(), lambda: ss.LIF(tau_mem=6.0, tau_syn=3.0, train_alphas=True),
    lambda: ss.ALIF(tau_mem=8.0, tau_adapt=12.0, adapt_scale=0.5),
    lambda: ss.ExpLeak(tau_mem=5.0, min_v_mem=-0.2), lambda: ss.LIFSqueeze(tau_mem=9.0, batch_size=2)])
def test_two_chunks_equal_one_call_over_the_concatenated_time(make):
    squeeze = isinstance(make(), ss.LIFSqueeze)
    x = torch.rand(2, 20, 5) * 2.5
    upstream = torch.randn(2, 20, 5)

    def as_input(t):
        return t.flatten(0, 1) if squeeze else t

    whole_layer, chunked_layer = make(), make()
    whole = x.clone().requires_grad_(True)
    (whole_layer(as_input(whole)) * as_input(upstream)).sum().backward()
    parts = [x[:, :8].clone().requires_grad_(True), x[:, 8:].clone().requires_grad_(True)]
    loss = sum((chunked_layer(as_input(p)) * as_input(u)).sum()
               for p, u in zip(parts, (upstream[:, :8], upstream[:, 8:])))
    loss.backward()
    assert_close(torch.cat([p.grad for p in parts], 1), whole.grad, "input grad")
    for (name, p), q in zip(whole_layer.named_parameters(), chunked_layer.parameters()):
        if p.requires_grad:
            assert_close(q.grad, p.grad, name)
    assert_close(chunked_layer.v_mem, whole_layer.v_mem, "v_mem")


def test_layer_used_twice_in_one_graph_matches_sinabs():
    x = torch.rand(2, 10, 4) * 3
    results = []
    for module in (sl, ss):
        layer = module.LIF(tau_mem=4.0, train_alphas=True)
        leaf = x.clone().requires_grad_(True)
        out = layer(layer(leaf) * 2.0 + leaf)
        out.sum().backward()
        results.append((out, leaf.grad, layer.alpha_mem.grad))
    for ours, reference, what in zip(results[1], results[0], ("output", "input grad", "alpha grad")):
        assert_close(ours, reference, what)


def test_streaming_loss_per_chunk_then_one_backward_matches_sinabs():
    """A sinabs training loop over a long sequence in chunks, one optimizer
    step per sequence, states reset per sequence."""
    torch.manual_seed(0)
    data = torch.rand(3, 4, 30, 6)  # 3 sequences of (B=4, T=30, 6)
    weights = []
    for module in (sl, ss):
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(6, 8), module.LIF(tau_mem=10.0),
                                    torch.nn.Linear(8, 2), module.IAF())
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for sequence in data:
            model[1].reset_states()
            model[3].reset_states()
            optimizer.zero_grad()
            loss = sum(model(chunk).sum() for chunk in sequence.split(10, dim=1))
            loss.backward()
            optimizer.step()
        weights.append([p.detach().clone() for p in model.parameters()])
    for ours, reference in zip(weights[1], weights[0]):
        assert_close(ours, reference, "weights after training")


def test_second_backward_through_a_used_graph_is_a_clear_error():
    layer = ss.LIF(tau_mem=5.0)
    out = layer(torch.rand(1, 5, 2, requires_grad=True))
    out.sum().backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="second time"):
        out.sum().backward()


def test_without_detach_the_next_step_reaches_the_freed_graph_as_in_sinabs():
    for module in (sl, ss):
        layer = module.IAF()
        layer(torch.rand(1, 5, 2, requires_grad=True)).sum().backward()
        with pytest.raises(RuntimeError, match="second time"):
            layer(torch.rand(1, 5, 2, requires_grad=True)).sum().backward()
        layer.zero_grad()  # sinabs detaches the states here
        layer(torch.rand(1, 5, 2, requires_grad=True)).sum().backward()


def test_in_place_edit_of_a_state_with_history_reaches_the_next_call():
    for module in (sl, ss):
        layer = module.IAF()
        layer(torch.rand(1, 3, 2, requires_grad=True))
        with torch.no_grad():
            layer.v_mem.fill_(0.75)
        layer(torch.zeros(1, 1, 2))
        assert torch.allclose(layer.v_mem, torch.full((1, 2), 0.75)), module


def test_a_call_without_autograd_detaches_the_states():
    layer = ss.LIF(tau_mem=5.0)
    layer(torch.rand(1, 4, 2, requires_grad=True))
    assert layer.v_mem.requires_grad
    with torch.no_grad():
        layer(torch.rand(1, 4, 2))
    assert not layer.v_mem.requires_grad


def test_tapes_are_freed_with_their_graph():
    """30 training forwards of a 13 MB tape each, dropped unused after a reset:
    memory does not grow with them."""
    layer = ss.LIF(tau_mem=5.0)
    x = torch.rand(8, 100, 4096, requires_grad=True)
    layer(x)
    layer.reset_states()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(30):
        layer(x)
        layer.reset_states()  # drops the graph states, the last holders of the node
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100, grown_mib
