"""Forward + backward (BPTT) speed and peak memory: ours vs sinabs.

Workload A: B=32, T=100, N=4096 (13.1 M neuron-steps), IAF and LIF with
sinabs' defaults, input uniform in [0, 1) with requires_grad, upstream
gradient uniform in [0, 1). Each variant runs in its own subprocess so
that its peak resident memory (getrusage maxrss) is its own:

    sinabs  sinabs.layers on torch (CPU), autograd
    torch   sinabs_swift.torch: Swift forward and fused backward via DLPack
    native  the low-level sinabs_swift layer object (no torch autograd)

Prints ns per neuron-step (the best of the repeats, which is robust to
other load on the machine, and the median), the speed-up over sinabs (best
vs best), and peak memory: the process maximum and the growth above the
resident size measured just before the first forward (after the imports,
a tiny warm-up step of the same variant, and with the input and upstream
gradient allocated).

    python3 bench/bench_bptt.py [--repeats 10] [--threads 2]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BATCH, TIME, NEURONS = 32, 100, 4096
SHAPE = (BATCH, TIME, NEURONS)
NEURON_STEPS = BATCH * TIME * NEURONS
VARIANTS = ("sinabs", "torch", "native")
MODELS = ("IAF", "LIF")


def current_rss_mib():
    """Resident memory now (from /proc), MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_layer(module, model):
    return module.IAF() if model == "IAF" else module.LIF(tau_mem=20.0)


def autograd_step(layer, x, grad):
    """One training step through torch autograd: reset, forward, backward."""
    layer.reset_states()
    x.grad = None
    out = layer(x)
    out.backward(grad)
    return x.grad


def native_runner(model, x, grad):
    """forward_into + backward on the low-level native layer (no autograd)."""
    import torch
    from sinabs_swift import _native

    kind, options = {"IAF": (_native.NEURON_IAF, {}),
                     "LIF": (_native.NEURON_LIF, {"tau_mem": 20.0})}[model]
    layer = _native.neuron_layer(kind, **options)
    layer.set_training(True)
    output = torch.empty_like(x)

    def step():
        layer.reset_states()
        layer.zero_grad()
        layer.forward(x, out=output)
        return layer.backward(grad)

    return step


def make_step(variant, model, shape, generator):
    """A closure running one forward + backward of `variant` on `shape`."""
    import torch

    x = torch.rand(shape, generator=generator)
    grad = torch.rand(shape, generator=generator)
    if variant == "native":
        return native_runner(model, x, grad)
    if variant == "sinabs":
        import sinabs.layers as module
    else:
        import sinabs_swift.torch as module
    layer = make_layer(module, model)
    x.requires_grad_(True)
    return lambda: autograd_step(layer, x, grad)


def run_variant(variant, model, repeats, threads):
    """Runs in the subprocess: returns the figures as a dict."""
    import torch

    torch.set_num_threads(threads)
    if variant != "sinabs":
        import sinabs_swift

        sinabs_swift.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    # One tiny step first: torch's one-off allocations at the first backward
    # (about 35 MB, whatever the workload size) are not the workload's memory.
    make_step(variant, model, (2, 10, 8), generator)()
    step = make_step(variant, model, SHAPE, generator)
    if variant == "sinabs":
        repeats = min(repeats, 3)  # seconds per step; the median of 3 is stable enough
    baseline = current_rss_mib()
    times = []
    for _ in range(repeats + 1):  # the first run warms caches and allocators
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    peak = peak_rss_mib()
    return {
        "variant": variant,
        "model": model,
        "ns_per_neuron_step": min(times[1:]) * 1e9 / NEURON_STEPS,
        "median_ns": statistics.median(times[1:]) * 1e9 / NEURON_STEPS,
        "peak_mib": peak,
        "growth_mib": peak - baseline,
    }


def measure(variant, model, repeats, threads):
    """Runs one variant in a fresh interpreter and returns its figures."""
    command = [sys.executable, __file__, "--child", variant, model,
               "--repeats", str(repeats), "--threads", str(threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), SINABS_NUM_THREADS=str(threads))
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return {"variant": variant, "model": model, "error": tail[0]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(results):
    print(f"workload A: B={BATCH} T={TIME} N={NEURONS} ({NEURON_STEPS / 1e6:.1f} M neuron-steps), "
          "forward + backward")
    print(f"{'model':5} {'variant':7} {'ns/neuron-step':>15} {'(median)':>9} {'vs sinabs':>10} "
          f"{'peak MiB':>9} {'growth MiB':>11} {'growth vs sinabs':>17}")
    for model in MODELS:
        rows = [r for r in results if r["model"] == model]
        reference = next((r for r in rows if r["variant"] == "sinabs" and "error" not in r), None)
        for row in rows:
            if "error" in row:
                print(f"{model:5} {row['variant']:7} failed: {row['error']}")
                continue
            speedup = memory = ""
            if reference is not None:
                speedup = f"{reference['ns_per_neuron_step'] / row['ns_per_neuron_step']:9.1f}x"
                memory = f"{row['growth_mib'] / reference['growth_mib']:16.3f}x"
            print(f"{model:5} {row['variant']:7} {row['ns_per_neuron_step']:15.2f} "
                  f"{row['median_ns']:9.2f} {speedup:>10} "
                  f"{row['peak_mib']:9.0f} {row['growth_mib']:11.0f} {memory:>17}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "MODEL"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        variant, model = arguments.child
        print(json.dumps(run_variant(variant, model, arguments.repeats, arguments.threads)))
        return
    results = [measure(variant, model, arguments.repeats, arguments.threads)
               for model in arguments.models.split(",")
               for variant in arguments.variants.split(",")]
    print_table(results)


if __name__ == "__main__":
    main()
