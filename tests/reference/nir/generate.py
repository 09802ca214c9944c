"""Writes the NIR fixtures: small .nir files from other libraries and the
outputs those libraries' own simulations give on a fixed input.

    python tests/reference/nir/generate.py [OUT_DIR]   (default: this folder)

For each case NAME: NAME.nir (written by nir.write) and NAME.json with
"batch_size", "num_timesteps", "dt" (null: sinabs' convention), "input"
(Batch*Time, ...) and "output", each {"shape", "data"} as in ../README.md.

- sinabs_conv: a squeeze-form conv SNN (Conv2d, IAF, SumPool2d, Flatten,
  Linear, LIF, bias-free Linear, ExpLeak) exported by sinabs.nir.to_nir; the
  output is the sinabs model's own. Its LIF and ExpLeak have norm_input=False:
  sinabs' exporter writes r = 1 whatever norm_input is (with the default
  norm_input=True its file does not describe its model).
- sinabs_cubalif: Affine -> CubaLIF with per-neuron tau_mem and a tau_syn
  (sinabs' exporter drops tau_syn, so the node is written with nir directly);
  the output is sinabs' LIFSqueeze(tau_mem, tau_syn, norm_input=False) with
  the same weights.
- bad_*: files that must fail to load (see bad_files).
- snntorch_leaky (only if snnTorch's exporter works with the installed nir):
  snntorch.export_to_nir of Linear -> Leaky, imported with dt = 1e-4.
"""
import json
import sys
from pathlib import Path

import nir
import numpy as np
import sinabs.layers as sl
import sinabs.nir
import torch

BATCH, STEPS = 2, 6


def as_numpy(node):
    """sinabs' to_nir leaves torch tensors (and Conv2d input_shape None) that
    nir.write cannot store: the same node with numpy arrays."""
    fields = {k: (v.detach().numpy().astype(np.float32) if isinstance(v, torch.Tensor) else v)
              for k, v in node.__dict__.items() if k not in ("input_type", "output_type")}
    return type(node)(**fields) if not isinstance(node, (nir.Input, nir.Output, nir.Flatten)) else node


def tensor_json(t):
    t = np.asarray(t, np.float32)
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1)]}


def save(out, name, graph, x, y, dt=None):
    nir.write(out / f"{name}.nir", graph)
    case = {"batch_size": BATCH, "num_timesteps": STEPS, "dt": dt, "input": tensor_json(x), "output": tensor_json(y)}
    (out / f"{name}.json").write_text(json.dumps(case))
    print("wrote", out / f"{name}.nir", "spikes/values out:", float(np.abs(y).sum()))


def sinabs_conv(out):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1), sl.IAFSqueeze(batch_size=BATCH), sl.SumPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 5), sl.LIFSqueeze(tau_mem=5.0, norm_input=False, batch_size=BATCH),
        torch.nn.Linear(5, 3, bias=False), sl.ExpLeakSqueeze(tau_mem=4.0, norm_input=False, batch_size=BATCH))
    with torch.no_grad():
        model[4].weight.mul_(4.0)
    x = (torch.rand(BATCH * STEPS, 2, 8, 8) * 3).round()
    with torch.no_grad():
        y = model(x)  # before to_nir, whose sample forward leaves states behind
    graph = sinabs.nir.to_nir(model, torch.zeros(BATCH, 2, 8, 8))
    nodes = {k: as_numpy(n) for k, n in graph.nodes.items()}
    nodes["0"] = nir.Conv2d(input_shape=(8, 8), weight=nodes["0"].weight, stride=1, padding=1, dilation=1,
                            groups=1, bias=nodes["0"].bias)
    nodes["3"] = nir.Flatten(input_type={"input": np.array([4, 4, 4])}, start_dim=0, end_dim=-1)
    save(out, "sinabs_conv", nir.NIRGraph(nodes=nodes, edges=graph.edges), x, y)


def sinabs_cubalif(out):
    rng = np.random.default_rng(1)
    weight = rng.normal(0, 0.8, (3, 4)).astype(np.float32)
    bias = rng.normal(0.2, 0.1, 3).astype(np.float32)
    tau_mem = np.array([3.0, 6.0, 12.0], np.float32)
    tau_syn = np.full(3, 2.0, np.float32)
    graph = nir.NIRGraph(nodes={
        "input": nir.Input(input_type=np.array([4])),
        "0": nir.Affine(weight=weight, bias=bias),
        "1": nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=np.ones(3, np.float32), v_leak=np.zeros(3, np.float32),
                         v_threshold=np.ones(3, np.float32), w_in=np.ones(3, np.float32)),
        "output": nir.Output(output_type=np.array([3]))},
        edges=[("input", "0"), ("0", "1"), ("1", "output")])
    linear = torch.nn.Linear(4, 3)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.copy_(torch.from_numpy(bias))
    lif = sl.LIFSqueeze(tau_mem=torch.from_numpy(tau_mem), tau_syn=torch.from_numpy(tau_syn), norm_input=False,
                        batch_size=BATCH)
    x = torch.from_numpy(rng.uniform(0, 1.5, (BATCH * STEPS, 4)).astype(np.float32))
    with torch.no_grad():
        y = lif(linear(x))
    save(out, "sinabs_cubalif", graph, x, y)


def snntorch_leaky(out):
    try:
        import snntorch
        from snntorch.export_nir import export_to_nir
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 3), snntorch.Leaky(beta=0.8, init_hidden=True, output=True))
        export_to_nir(net, torch.zeros(1, 4))
    except Exception as error:  # snnTorch 2.0.2 passes v_reset, which nir 1.0.4 rejects
        print(f"snntorch_leaky skipped: snnTorch's exporter does not run here ({type(error).__name__}: {error})")


def bad_files(out):
    """Files that must fail to load with a message: HDF5 without NIR
    structure, an unsupported node, shapes that do not fit, NaN weights."""
    import h5py
    with h5py.File(out / "bad_not_nir.nir", "w") as f:
        f.create_dataset("weights", data=np.ones(3, np.float32))

    def chain(name, middle, output_shape=(2,)):
        nodes = {"input": nir.Input(input_type=np.array([2])), "0": middle,
                 "output": nir.Output(output_type=np.array(output_shape))}
        nir.write(out / f"bad_{name}.nir", nir.NIRGraph(nodes=nodes, edges=[("input", "0"), ("0", "output")]))

    chain("unsupported_node", nir.Delay(delay=np.ones(2, np.float32)))
    chain("inconsistent_shapes", nir.Affine(weight=np.ones((3, 2), np.float32), bias=np.zeros(3, np.float32)))
    chain("nan_parameters", nir.Affine(weight=np.array([[1, np.nan], [0, 1]], np.float32), bias=np.zeros(2, np.float32)))


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    out.mkdir(parents=True, exist_ok=True)
    sinabs_conv(out)
    sinabs_cubalif(out)
    snntorch_leaky(out)
    bad_files(out)


if __name__ == "__main__":
    main()
