"""Parameter initialisation: a Linear starts as torch.nn.Linear does (uniform
in +-1/sqrt(in_features)), drawn by libsinabs from the generator that
sinabs_swift.manual_seed seeds. The values equal an independent model of that
generator written out here (SplitMix64 streams), and the seed-42 values that
the C (tests/c/test_init.c) and Swift (ParameterInitTests) tests check."""
import math
import threading

import numpy as np
import pytest

import sinabs_swift as ss

MASK = (1 << 64) - 1


def splitmix64(state):
    """(next state, output) of SplitMix64."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def model_linear(seed, in_features, out_features, bias=True, layers_before=0):
    """Weight and bias of the (layers_before+1)-th Linear created after seeding:
    each layer takes one draw of the process generator as the seed of its own
    stream, which fills the weight, then the bias, with float32 arithmetic."""
    process = seed
    for _ in range(layers_before + 1):
        process, stream = splitmix64(process)
    bound = np.float32(1 / math.sqrt(in_features))
    low, width = -bound, bound - (-bound)
    count = out_features * in_features + (out_features if bias else 0)
    values = np.empty(count, np.float32)
    for i in range(count):
        stream, z = splitmix64(stream)
        unit = np.float32(z >> 40) * np.float32(2.0 ** -24)
        values[i] = low + np.float32(unit * width)
    weight = values[:out_features * in_features].reshape(out_features, in_features)
    return weight, (values[out_features * in_features:] if bias else None)


SEED42_WEIGHT = [float.fromhex(v) for v in ("-0x1.729668p-3", "0x1.0d70c4p-1", "-0x1.023f8p-6",
                                             "-0x1.ff8fd6p-2", "0x1.a26p-3", "-0x1.ff61bp-2")]
SEED42_BIAS = [float.fromhex(v) for v in ("-0x1.68386cp-2", "0x1.15895cp-2")]


def test_seed_42_gives_the_values_c_and_swift_see():
    ss.manual_seed(42)
    layer = ss.Linear(3, 2)
    assert np.asarray(layer.weight).ravel().tolist() == SEED42_WEIGHT
    assert np.asarray(layer.bias).tolist() == SEED42_BIAS


@pytest.mark.parametrize("seed,in_features,out_features,bias", [
    (0, 1, 1, True), (1, 7, 3, False), (2**64 - 1, 16, 5, True), (123456789, 33, 2, True)])
def test_linear_equals_the_model_of_the_generator(seed, in_features, out_features, bias):
    ss.manual_seed(seed)
    first = ss.Linear(in_features, out_features, bias)
    second = ss.Linear(in_features, out_features, bias)
    for layer, before in ((first, 0), (second, 1)):
        weight, expected_bias = model_linear(seed, in_features, out_features, bias, before)
        np.testing.assert_array_equal(np.asarray(layer.weight), weight)
        if bias:
            np.testing.assert_array_equal(np.asarray(layer.bias), expected_bias)
        else:
            assert layer.bias is None


def test_same_seed_same_parameters_other_seed_others():
    ss.manual_seed(5)
    a = np.array(ss.Linear(10, 4).weight)
    ss.manual_seed(5)
    b = np.array(ss.Linear(10, 4).weight)
    ss.manual_seed(6)
    c = np.array(ss.Linear(10, 4).weight)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bounds_and_spread_are_torch_defaults():
    ss.manual_seed(11)
    layer = ss.Linear(256, 128)
    bound = 1 / 16
    for values in (np.asarray(layer.weight), np.asarray(layer.bias)):
        assert np.all(np.abs(values) <= bound)
    weight = np.asarray(layer.weight)
    assert weight.min() < -0.99 * bound and weight.max() > 0.99 * bound
    assert abs(weight.mean()) < 0.002
    # Uniform: each tenth of the range holds about a tenth of the values.
    counts, _ = np.histogram(weight, bins=10, range=(-bound, bound))
    assert np.all(np.abs(counts / weight.size - 0.1) < 0.01)


def test_python_linear_has_no_init_of_its_own():
    """The values come from libsinabs: numpy's global generator is untouched."""
    np.random.seed(0)
    _, keys, position, *_ = np.random.get_state()
    ss.manual_seed(42)
    ss.Linear(3, 2)
    np.testing.assert_array_equal(np.random.get_state()[1], keys)
    assert np.random.get_state()[2] == position


def test_a_fresh_process_starts_from_a_fixed_seed():
    import subprocess
    import sys
    code = "import numpy as np, sinabs_swift as ss; print(np.asarray(ss.Linear(4, 2).weight).tolist())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 1


def test_concurrent_seeding_and_creation_stay_in_range():
    failures = []

    def work(index):
        for i in range(100):
            if i % 10 == index:
                ss.manual_seed(i)
            weight = np.asarray(ss.Linear(4, 4).weight)
            if not np.all(np.abs(weight) <= 0.5):
                failures.append(weight)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize("seed,error", [(-1, ValueError), (2**64, ValueError), (1.5, TypeError),
                                        ("1", TypeError), (None, TypeError)])
def test_manual_seed_refuses_bad_seeds(seed, error):
    with pytest.raises(error):
        ss.manual_seed(seed)


def test_native_manual_seed_refuses_out_of_range():
    with pytest.raises(OverflowError):
        ss._native.manual_seed(-1)
    with pytest.raises(TypeError):
        ss._native.manual_seed("x")
