"""SNNAnalyzer: the `synops` reference cases, a live comparison with sinabs'
SNNAnalyzer on a converted conv network with AvgPool, the cost of leaving it
on, and bad inputs."""
import time

import numpy as np
import pytest

import sinabs_swift as ss
from conftest import array, reference_cases

CASES = reference_cases("synops")


def build(case):
    model = ss.Sequential(*[ss.layers.from_description(layer["type"], **layer.get("params", {}))
                            for layer in case["layers"]])
    for name, value in model.named_parameters():
        if name in case["parameters"]:
            np.asarray(value)[...] = array(case["parameters"][name])
    return model


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_reference_case(name, case):
    model = build(case)
    analyzer = ss.SNNAnalyzer(model)
    model(array(case["input"]))
    layers = analyzer.get_layer_statistics()
    expected = case["layer_statistics"]
    assert layers["spiking"].keys() == expected["spiking"].keys()
    for key, entry in expected["spiking"].items():
        ours = layers["spiking"][key]
        assert ours["n_neurons"] == entry["n_neurons"]
        assert ours["firing_rate"] == pytest.approx(entry["firing_rate"], rel=1e-5)
        np.testing.assert_allclose(ours["firing_rate_per_neuron"], array(entry["firing_rate_per_neuron"]), rtol=1e-5)
    assert layers["parameter"].keys() == expected["parameter"].keys()
    for key, entry in expected["parameter"].items():
        for field in ("synops", "num_timesteps", "time_window", "SynOps/s", "synops/s"):
            assert layers["parameter"][key][field] == pytest.approx(entry[field], rel=1e-5), field
    model_stats = analyzer.get_model_statistics()
    for field, value in case["model_statistics"].items():
        assert model_stats[field] == pytest.approx(value, rel=1e-5), field


def test_live_against_sinabs_with_avgpool():
    torch = pytest.importorskip("torch")
    sinabs = pytest.importorskip("sinabs")
    import warnings
    torch.manual_seed(0)
    ann = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, stride=2, padding=1), torch.nn.ReLU(),
                              torch.nn.AvgPool2d(2), torch.nn.Conv2d(4, 3, 3, padding=1, groups=1), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(3 * 2 * 2, 5), torch.nn.ReLU())
    theirs = sinabs.from_model(ann, batch_size=2).spiking_model.eval()
    ours = ss.from_model(ann, batch_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        their_analyzer = sinabs.SNNAnalyzer(theirs, dt=0.5)
    analyzer = ss.SNNAnalyzer(ours, dt=0.5)
    x = (torch.rand(2 * 6, 2, 8, 8) < 0.4).float() * 3
    for _ in range(2):
        with torch.no_grad():
            theirs(x)
        ours(x.numpy())
    for average in (False, True):
        expected = their_analyzer.get_layer_statistics(average=average)
        got = analyzer.get_layer_statistics(average=average)
        assert got["parameter"].keys() == expected["parameter"].keys() == {"0", "3", "6"}
        for key, entry in expected["parameter"].items():
            assert got["parameter"][key]["synops"] == pytest.approx(float(entry["synops"]), rel=1e-5)
            assert got["parameter"][key]["SynOps/s"] == pytest.approx(float(entry["SynOps/s"]), rel=1e-5)
        for key, entry in expected["spiking"].items():
            assert got["spiking"][key]["firing_rate"] == pytest.approx(float(entry["firing_rate"]), rel=1e-5, abs=1e-7)
        model_expected = their_analyzer.get_model_statistics(average=average)
        model_got = analyzer.get_model_statistics(average=average)
        assert model_got["synops"] == pytest.approx(float(model_expected["synops"]), rel=1e-5)
        assert model_got["firing_rate"] == pytest.approx(float(model_expected["firing_rate"]), rel=1e-5)
        assert model_got["n_spiking_neurons"] == int(model_expected["n_spiking_neurons"])
    analyzer.reset()
    assert analyzer.get_layer_statistics()["parameter"] == {}


def test_expleak_is_not_spiking():
    model = ss.Sequential(ss.layers.Linear(3, 2), ss.layers.ExpLeakSqueeze(batch_size=1, tau_mem=5.0))
    analyzer = ss.SNNAnalyzer(model)
    model(np.ones((4, 3), np.float32))
    assert analyzer.get_layer_statistics()["spiking"] == {}
    stats = analyzer.get_model_statistics()
    assert stats["n_spiking_neurons"] == 0 and stats["synops"] == pytest.approx(4 * 3 * 2)  # summed over 4 steps


def test_overhead_is_small():
    """The analyzer's cost on a conv SNN forward (printed; bound loose for a shared machine)."""
    model = ss.Sequential(ss.layers.Conv2d(2, 16, 3, padding=1), ss.layers.IAFSqueeze(batch_size=4),
                          ss.layers.SumPool2d(2), ss.layers.Conv2d(16, 32, 3, padding=1),
                          ss.layers.IAFSqueeze(batch_size=4), ss.layers.Flatten(), ss.layers.Linear(32 * 16 * 16, 10),
                          ss.layers.IAFSqueeze(batch_size=4))
    x = (np.random.default_rng(0).random((4 * 20, 2, 32, 32)) < 0.1).astype(np.float32)

    def run():
        model.reset_states()
        start = time.perf_counter()
        model(x)
        return time.perf_counter() - start

    for _ in range(3):
        run()  # warm-up: buffers and threads
    plain, observed = [], []
    for _ in range(9):  # interleaved, so machine load hits both alike
        plain.append(run())
        analyzer = ss.SNNAnalyzer(model)
        observed.append(run())
        assert analyzer.get_model_statistics()["synops"] > 0
        del analyzer  # a released analyzer stops observing
    ratio = np.median(observed) / np.median(plain)
    print(f"forward {np.median(plain) * 1e3:.2f} ms, with SNNAnalyzer {np.median(observed) * 1e3:.2f} ms ({ratio:.3f}x)")
    assert ratio < 1.5


def test_bad_inputs():
    model = ss.Sequential(ss.layers.Linear(2, 2))
    with pytest.raises(ValueError):
        ss.SNNAnalyzer(model, dt=0.0)
    with pytest.raises(ValueError):
        ss.SNNAnalyzer(model, dt=float("nan"))
    with pytest.raises(TypeError):
        ss.SNNAnalyzer(object())
    with pytest.raises(ValueError):
        ss._native.analyzer_json(object(), False)
    with pytest.raises(ValueError):
        ss._native.analyzer_reset(None)
