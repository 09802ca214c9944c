"""States the way sinabs has them: module buffers (named_buffers, buffers,
state_dict), deepcopy, .to()/.cpu() (float32 on the CPU only, else a clear
error), reset_states with randomize/value_ranges and the batch-size change
resampling drawn from torch's generator exactly as sinabs does."""

import copy

import pytest
import sinabs.layers as sl
import torch

import sinabs_swift.torch as ss
from torch_parity import assert_close

MAKERS = [
    ("IAF", lambda m: m.IAF()),
    ("LIF", lambda m: m.LIF(tau_mem=5.0, tau_syn=3.0)),
    ("ExpLeak", lambda m: m.ExpLeak(tau_mem=5.0)),
    ("ALIF", lambda m: m.ALIF(tau_mem=5.0, tau_adapt=9.0, tau_syn=2.0)),
    ("IAFSqueeze", lambda m: m.IAFSqueeze(num_timesteps=4)),
]


def pair(make):
    return make(sl), make(ss)


def run(layer, batch, seed):
    torch.manual_seed(seed)
    x = torch.rand(batch, 4, 3) * 2.5
    if isinstance(layer, (sl.IAFSqueeze, ss.IAFSqueeze)):
        x = x.flatten(0, 1)
    return layer(x)


@pytest.mark.parametrize("name,make", MAKERS)
def test_states_are_named_buffers_like_sinabs(name, make):
    reference, ours = pair(make)
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in reference.named_buffers()]
    run(reference, 2, 0)
    run(ours, 2, 0)
    ours_buffers, ref_buffers = dict(ours.named_buffers()), dict(reference.named_buffers())
    assert list(ours_buffers) == list(ref_buffers)
    for key, value in ref_buffers.items():
        if not (name == "ALIF" and key == "i_syn"):  # sinabs' ALIF never writes i_syn back
            assert_close(ours_buffers[key], value, f"{name} buffer {key}")
    assert len(list(ours.buffers())) == len(ref_buffers)
    model = torch.nn.Sequential(torch.nn.Identity(), ours)
    assert [n for n, _ in model.named_buffers()] == [f"1.{n}" for n in ref_buffers]


@pytest.mark.parametrize("name,make", MAKERS)
def test_reset_states_randomize_equals_sinabs_under_the_same_seed(name, make):
    reference, ours = pair(make)
    run(reference, 3, 1)
    run(ours, 3, 1)
    ranges = {"v_mem": (-0.5, 0.5)}
    for layer in (reference, ours):
        torch.manual_seed(7)
        layer.reset_states(randomize=True, value_ranges=ranges)
    for key, value in reference.named_buffers():
        assert_close(dict(ours.named_buffers())[key], value, f"{name} randomized {key}")
    assert ours.v_mem.min() >= -0.5 and ours.v_mem.max() <= 0.5


@pytest.mark.parametrize("name,make", MAKERS)
def test_a_new_batch_size_resamples_states_like_sinabs(name, make):
    reference, ours = pair(make)
    for layer in (reference, ours):
        run(layer, 3, 2)
        torch.manual_seed(11)
        run(layer, 5, 3)  # LIF family: old samples drawn at random; ALIF: zeros
    for key, value in reference.named_buffers():
        if not (name == "ALIF" and key == "i_syn"):
            assert_close(dict(ours.named_buffers())[key], value, f"{name} after resampling {key}")
    assert ours.v_mem.shape[0] == 5


def test_resampling_keeps_the_graph_as_in_sinabs():
    x1, x2 = torch.rand(3, 4, 2) * 2, torch.rand(5, 4, 2) * 2
    grads = []
    for module in (sl, ss):
        layer = module.LIF(tau_mem=5.0)
        leaf = x1.clone().requires_grad_(True)
        layer(leaf)
        torch.manual_seed(5)
        layer(x2).sum().backward()
        grads.append(leaf.grad)
    assert_close(grads[1], grads[0], "gradient through resampled states")


def test_state_dict_load_and_deepcopy_carry_the_states():
    reference, ours = pair(lambda m: m.LIF(tau_mem=5.0, tau_syn=3.0))
    run(reference, 2, 4)
    run(ours, 2, 4)
    saved = ours.state_dict()
    assert list(saved) == list(reference.state_dict())
    fresh = ss.LIF(tau_mem=5.0, tau_syn=3.0)
    fresh.load_state_dict(reference.state_dict())  # sinabs' state_dict loads as is
    assert_close(fresh.v_mem, reference.v_mem, "loaded v_mem")
    twin = copy.deepcopy(ours)
    assert_close(twin.i_syn, ours.i_syn, "deepcopy i_syn")
    run(twin, 2, 5)
    assert_close(ours.v_mem, saved["v_mem"], "the original is not touched by its copy")
    assert not torch.equal(twin.v_mem, ours.v_mem)


def test_deepcopy_after_a_call_with_autograd():
    layer = ss.LIF(tau_mem=5.0)
    layer(torch.rand(2, 3, 4, requires_grad=True))
    assert layer.v_mem.requires_grad
    twin = copy.deepcopy(layer)
    assert not twin.v_mem.requires_grad
    assert torch.equal(twin.v_mem, layer.v_mem.detach())


def test_to_float32_and_cpu_keep_states_other_dtypes_are_refused():
    layer = ss.IAF()
    run(layer, 2, 6)
    before = layer.v_mem.clone()
    assert layer.to(torch.float32) is layer and layer.cpu() is layer and layer.float() is layer
    assert torch.equal(layer.v_mem, before)
    run(layer, 2, 7)  # still runs
    after = layer.v_mem.clone()
    for convert in (lambda m: m.to(torch.float64), lambda m: m.double(), lambda m: m.half()):
        with pytest.raises(TypeError, match="float32"):
            convert(layer)
        assert torch.equal(layer.v_mem, after) and layer.v_mem.dtype == torch.float32
        assert layer.spike_threshold.dtype == torch.float32
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), ss.LIF(tau_mem=4.0))
    with pytest.raises(TypeError, match="LIF computes in float32"):
        model.double()
