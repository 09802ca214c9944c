"""Every `neuron_layer` case of the real sinabs 3.1.3 (tests/reference/cases),
reproduced through the Python binding.

Outputs exact, except spikes whose membrane is within 1e-5 of a threshold
(they may flip; the rest of that sample may then differ). States, recordings,
firing rate and the second call to 1e-4 relative / 1e-5 absolute. Deliberate
differences from sinabs are checked against the numpy model instead, and
sinabs' numbers are shown to differ there:
- MembraneReset(reset_value != 0): sinabs adds reset_value to neurons that did
  not spike; we reset only spiking neurons.
- ALIF's i_syn: sinabs never writes its buffer back (stays 0); we carry it.
- ALIF and recurrent recordings: sinabs' entry t < T-1 holds step t+1's
  membrane before the spike (it records a dict it then mutates); ours holds
  step t's own state.
"""
import numpy as np
import pytest

from conftest import array, reference_cases
from reference_layers import base_kind, build_layer, numpy_model, unsqueezed

CASES = reference_cases("neuron_layer")
RTOL, ATOL = 1e-4, 1e-5


def test_reference_cases_are_found():
    assert len(CASES) >= 30, "no neuron_layer reference cases; set SINABS_REFERENCE_DIR"


def assert_close(have, want, what, skip_samples=()):
    have, want = np.asarray(have), np.asarray(want)
    assert have.shape == want.shape, f"{what}: shape {have.shape} vs {want.shape}"
    keep = [b for b in range(have.shape[0]) if b not in skip_samples]
    np.testing.assert_allclose(have[keep], want[keep], rtol=RTOL, atol=ATOL, err_msg=what)


def flipped_samples(ours, theirs, model_run, model):
    """Samples whose first output mismatch is an ambiguous spike; any other
    mismatch fails the test."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    flips = set()
    for index in zip(*np.nonzero(ours != theirs)):
        sample = index[0]
        if sample in flips:
            continue
        v = float(model_run["pre_spike"][index])
        threshold = float(model_run["threshold_used"][index])
        assert model.ambiguous(v, threshold), (
            f"output at {index}: ours {ours[index]} vs sinabs {theirs[index]} (membrane {v})")
        flips.add(sample)
    return flips


def is_aliased(case):
    kind = case["layer"]["type"]
    return base_kind(kind) == "ALIF" or kind.endswith("Recurrent")


def check_recordings(case, layer, output, flips, threshold_recording):
    params = case["layer"]["params"]
    for name, entry in sorted(case.get("recordings", {}).items()):
        want = array(entry)
        have = np.asarray(layer.recordings[name])
        assert have.shape == want.shape, f"recording {name}"
        if not is_aliased(case) or name not in ("v_mem", "i_syn"):
            assert_close(have, want, f"recording {name}", flips)
            continue
        assert_close(have[:, -1], want[:, -1], f"recording {name}, last step", flips)
        # sinabs' step t shows our step t+1 before its reset.
        later = have[:, 1:].copy()
        reset_is_plain_subtract = ("reset_fn" not in params or (
            params["reset_fn"]["type"] == "MembraneSubtract"
            and params["reset_fn"].get("subtract_value") is None)) and "min_v_mem" not in params
        if name == "v_mem":
            if not reset_is_plain_subtract:
                continue
            # The threshold used at step t+1 is the one recorded after step t.
            threshold = (threshold_recording[:, :-1] if threshold_recording is not None
                         else params.get("spike_threshold", 1.0))
            later = later + np.asarray(output)[:, 1:] * threshold
        assert_close(later, want[:, :-1], f"recording {name}, sinabs' aliased steps", flips)


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_neuron_layer_matches_sinabs(name, case):
    layer = build_layer(case)
    x = array(case["input"])
    output = layer(x)
    expected = array(case["output"])
    assert output.shape == expected.shape

    model = numpy_model(case)
    run = model.run(unsqueezed(case, x))
    ours = unsqueezed(case, np.asarray(output))
    theirs = unsqueezed(case, expected)
    reset = case["layer"]["params"].get("reset_fn", {})

    if reset.get("type") == "MembraneReset" and reset.get("reset_value", 0.0) != 0.0:
        # Deliberate difference: we follow the documented rule (see module doc).
        np.testing.assert_array_equal(ours, run["output"])
        assert_close(layer.v_mem, run["states"]["v_mem"], "v_mem vs numpy rule")
        assert_close(layer.recordings["v_mem"], run["recordings"]["v_mem"], "recording vs numpy")
        sinabs_rule = numpy_model(case, sinabs_membrane_reset=True).run(x)
        np.testing.assert_array_equal(sinabs_rule["output"], theirs)
        assert_close(sinabs_rule["states"]["v_mem"], array(case["state_after"]["v_mem"]),
                     "numpy model with sinabs' rule vs sinabs")
        assert not np.array_equal(ours, theirs), "expected sinabs' output to differ from ours"
        return

    flips = flipped_samples(ours, theirs, run, model)
    for state_name, entry in sorted(case["state_after"].items()):
        have = np.asarray(getattr(layer, state_name))
        if base_kind(case["layer"]["type"]) == "ALIF" and state_name == "i_syn":
            assert not np.any(array(entry)), "sinabs' ALIF i_syn buffer is expected to stay 0"
            assert_close(have, run["states"]["i_syn"], "ALIF i_syn vs numpy model", flips)
            continue
        assert_close(have, array(entry), f"state {state_name}", flips)

    threshold_recording = None
    if "spike_threshold" in case.get("recordings", {}):
        threshold_recording = np.asarray(layer.recordings["spike_threshold"])
    check_recordings(case, layer, ours, flips, threshold_recording)

    if not flips:
        assert layer.firing_rate == pytest.approx(case["firing_rate"], rel=RTOL, abs=ATOL)

    second = case.get("second_call")
    if second:
        output2 = layer(array(second["input"]))
        run2 = model.run(unsqueezed(case, array(second["input"])),
                         initial={n: run["states"][n] for n in run["states"]})
        flips2 = flipped_samples(unsqueezed(case, np.asarray(output2)),
                                 unsqueezed(case, array(second["output"])), run2, model)
        for state_name, entry in sorted(second["state_after"].items()):
            assert_close(getattr(layer, state_name), array(entry),
                         f"second call state {state_name}", flips2)
