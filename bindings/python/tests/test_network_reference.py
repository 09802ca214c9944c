"""The `network` reference cases through a model file: the case's layers and
parameters are written as a libsinabs safetensors file, loaded by
sinabs_swift.Sequential.load, and must give sinabs' output and gradients.
Skipped while a layer kind is not available in libsinabs."""
import json
import struct

import numpy as np
import pytest

import sinabs_swift as ss
from conftest import array, reference_cases

CASES = reference_cases("network")


def model_file(case, path):
    """A model file for the case: architecture in the metadata, parameters as F32."""
    layers = [{"kind": layer["type"], "arguments": layer["params"]} for layer in case["layers"]]
    architecture = json.dumps({"format": "libsinabs.Sequential", "version": 1, "layers": layers})
    header, blobs, offset = {"__metadata__": {"sinabs.architecture": architecture}}, [], 0
    for name, entry in case["parameters"].items():
        data = array(entry).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": entry["shape"], "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_network_case(name, case, tmp_path):
    path = tmp_path / f"{name}.safetensors"
    model_file(case, path)
    try:
        model = ss.Sequential.load(path)
    except ValueError as error:
        if "unknown layer kind" in str(error):
            pytest.skip(str(error))
        raise
    model.train()
    output = np.asarray(model(array(case["input"])))
    np.testing.assert_allclose(output, array(case["output"]), rtol=1e-4, atol=1e-5)
    grad_input = np.asarray(model.backward(array(case["upstream_grad"])))
    np.testing.assert_allclose(grad_input, array(case["grads"]["input"]), rtol=1e-4, atol=1e-5)
    for parameter, grad in model.named_grads():
        np.testing.assert_allclose(np.asarray(grad), array(case["grads"][parameter]), rtol=1e-4, atol=1e-5,
                                   err_msg=parameter)
