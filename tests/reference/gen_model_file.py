"""A model file written from Python for the other languages' tests: saves
cases/model_file_lif.safetensors with sinabs_swift and cases/model_file_lif.json
(kind "model_file") with an input and the output that the real sinabs
computes after loading the same file's parameters into torch. The Swift and
C tests load the file and must reproduce that output exactly.

    python3 tests/reference/gen_model_file.py tests/reference/cases
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

import sinabs.layers as sl
import sinabs_swift as ss


def tensor(array):
    return {"shape": list(array.shape), "data": [float(v) for v in np.asarray(array, np.float32).ravel()]}


def main(folder):
    folder = Path(folder)
    np.random.seed(3)
    model = ss.Sequential(ss.Linear(5, 7), ss.layers.LIF(tau_mem=6.0, tau_syn=2.5), ss.Linear(7, 3),
                          ss.layers.IAF(spike_threshold=0.75))
    for name, value in model.named_parameters():
        if name.endswith("weight"):
            np.asarray(value)[...] *= 3
        elif name.endswith("bias"):
            np.asarray(value)[...] += 0.6
    path = folder / "model_file_lif.safetensors"
    model.save(path)

    reference = torch.nn.Sequential(torch.nn.Linear(5, 7), sl.LIF(tau_mem=6.0, tau_syn=2.5), torch.nn.Linear(7, 3),
                                    sl.IAF(spike_threshold=0.75))
    reference.load_state_dict(load_file(str(path)), strict=False)
    x = np.random.default_rng(4).uniform(0, 1.5, (2, 12, 5)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    ours = np.asarray(model(x))
    assert np.array_equal(ours, expected), "sinabs_swift and sinabs disagree"
    assert expected.sum() > 5, "the case must spike"
    case = {"kind": "model_file", "file": path.name,
            "note": "saved by sinabs_swift (Python); output computed by sinabs 3.1.3 from the file's parameters",
            "input": tensor(x), "output": tensor(expected)}
    (folder / "model_file_lif.json").write_text(json.dumps(case))
    print(f"wrote {path} and model_file_lif.json ({int(expected.sum())} output spikes)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/reference/cases")
