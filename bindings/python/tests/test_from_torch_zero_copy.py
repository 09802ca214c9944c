"""from_model on a torch.nn.Sequential takes the Linear and Conv2d weights
over without copying: the SNN's parameter memory is the torch tensor's (same
address, in-place changes seen), outputs equal sinabs', and the documented
copies (float64, non-contiguous, rescaled biases) still give right numbers."""
import gc

import numpy as np
import pytest

import sinabs_swift as ss

torch = pytest.importorskip("torch")
sinabs = pytest.importorskip("sinabs")


def ann():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 5 * 5, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))


def spikes(batch=2, steps=6):
    rng = np.random.default_rng(1)
    return (rng.random((batch * steps, 2, 5, 5)) < 0.3).astype(np.float32) * 2


def sinabs_output(model, x, batch=2):
    snn = sinabs.from_model(model, input_shape=(2, 5, 5), batch_size=batch, add_spiking_output=True).spiking_model
    with torch.no_grad():
        return snn(torch.from_numpy(x)).numpy()


def convert(model, **kwargs):
    return ss.from_model(model, input_shape=(2, 5, 5), batch_size=2, add_spiking_output=True, **kwargs)


def address(layer, name):
    return getattr(layer, name).data_ptr


def test_weights_are_the_torch_memory_and_outputs_equal_sinabs():
    model = ann()
    snn = convert(model)
    for index in (0, 3, 5):
        for name in ("weight", "bias"):
            assert address(snn[index], name) == getattr(model[index], name).data_ptr()
    x = spikes()
    np.testing.assert_array_equal(np.asarray(snn(x)), sinabs_output(model, x))


def test_an_in_place_change_of_the_torch_weight_is_seen_by_the_snn():
    model = ann()
    snn = convert(model)
    with torch.no_grad():
        model[3].weight.mul_(3.0)
        model[5].bias.add_(0.25)
    np.testing.assert_array_equal(np.asarray(snn[3].weight), model[3].weight.detach().numpy())
    np.testing.assert_array_equal(np.asarray(snn[5].bias), model[5].bias.detach().numpy())
    x = np.random.default_rng(2).random((4, 100)).astype(np.float32)
    expected = x @ model[3].weight.detach().numpy().T + model[3].bias.detach().numpy()
    np.testing.assert_allclose(np.asarray(snn[3](x)), expected, rtol=1e-5, atol=1e-5)


def test_the_snn_keeps_the_torch_memory_alive():
    model = ann()
    x = spikes()
    expected = sinabs_output(model, x)
    snn = convert(model)
    weight_address = model[3].weight.data_ptr()
    del model
    gc.collect()
    assert address(snn[3], "weight") == weight_address
    np.testing.assert_array_equal(np.asarray(snn(x)), expected)


def test_documented_copies_give_the_same_numbers():
    model = ann()
    rescaled = convert(model, bias_rescaling=2.0)
    assert address(rescaled[3], "weight") == model[3].weight.data_ptr()
    assert address(rescaled[3], "bias") != model[3].bias.data_ptr()  # the divided copy
    np.testing.assert_allclose(np.asarray(rescaled[3].bias), model[3].bias.detach().numpy() / 2, rtol=1e-6)

    double = ann().double()
    converted = convert(double)
    assert address(converted[3], "weight") != double[3].weight.data_ptr()
    np.testing.assert_array_equal(np.asarray(converted[3].weight), double[3].weight.detach().float().numpy())

    transposed = ann()
    with torch.no_grad():
        transposed[5].weight = torch.nn.Parameter(transposed[5].weight.detach().t().contiguous().t())
    assert not transposed[5].weight.is_contiguous()
    snn = convert(transposed)
    np.testing.assert_array_equal(np.asarray(snn[5].weight), transposed[5].weight.detach().numpy())
    x = spikes()
    np.testing.assert_array_equal(np.asarray(snn(x)), sinabs_output(transposed, x))


def test_share_parameter_refuses_bad_values():
    linear = ss.layers.Linear(3, 2)
    with pytest.raises(ValueError):
        linear.native.share_parameter("weight", torch.zeros(3, 2))  # shape
    with pytest.raises(KeyError):
        linear.native.share_parameter("gain", torch.zeros(2, 3))
    with pytest.raises(TypeError):
        linear.native.share_parameter("weight", torch.zeros(2, 3, dtype=torch.float64))
    frozen = np.zeros((2, 3), np.float32)
    frozen.setflags(write=False)
    with pytest.raises((ValueError, BufferError, TypeError)):
        linear.native.share_parameter("weight", frozen)
    with pytest.raises(ValueError):
        ss.layers.ReLU().native.share_parameter("weight", torch.zeros(2, 3))


def test_neuromorphic_relu_and_quantize_layer_convert_as_sinabs():
    torch.manual_seed(3)
    model = torch.nn.Sequential(sinabs.layers.QuantizeLayer(), torch.nn.Flatten(), torch.nn.Linear(50, 16),
                                sinabs.layers.NeuromorphicReLU(fanout=4), torch.nn.Linear(16, 4))
    snn = convert(model)
    assert snn[0].kind == "QuantizeLayer" and "IAF" in snn[3].kind
    x = spikes() * 1.5  # fractional inputs: QuantizeLayer floors them in both
    np.testing.assert_array_equal(np.asarray(snn(x)), sinabs_output(model, x))
