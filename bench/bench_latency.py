"""Per-call latency of one small streaming step: what running a network
one time step at a time (closed-loop control, live sensors) costs per call.

Input (1, 1, 128): one sample, one time step, 128 neurons. For each
variant, 200 warm-up calls, then N timed calls; prints p50 and p99 in
microseconds:

    sinabs        sinabs.layers on torch
    torch         sinabs_swift.torch (no_grad: under torch.no_grad();
                  autograd: the input requires grad, a graph is built; the states
                  are detached between calls, untimed)
    layers        sinabs_swift.layers (numpy, no torch)

    python3 bench/bench_latency.py [--calls 5000] [--threads 1]
"""

import argparse
import time

import numpy as np
import torch

SHAPE = (1, 1, 128)


def percentiles(samples):
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(step, between, calls):
    """p50 and p99 of `step` alone; `between` runs untimed after each call."""
    for _ in range(200):
        step()
        if between:
            between()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        start = clock()
        step()
        samples.append((clock() - start) / 1000.0)
        if between:
            between()
    return percentiles(samples)


def torch_step(layer, grad):
    """One call; with autograd the states are detached between calls (untimed),
    as a streaming loop does after each optimizer step."""
    x = torch.rand(SHAPE, requires_grad=grad)
    if grad:
        return (lambda: layer(x)), layer.zero_grad

    def step():
        with torch.no_grad():
            layer(x)
    return step, None


def numpy_step(layer):
    x = np.random.rand(*SHAPE).astype(np.float32)
    return lambda: layer(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import sinabs.layers as sl
    import sinabs_swift.layers as nl
    import sinabs_swift.torch as ss

    rows = []
    for model in ("IAF", "LIF"):
        def make(module):
            return module.IAF() if model == "IAF" else module.LIF(tau_mem=20.0)
        for mode in ("no_grad", "autograd"):
            grad = mode == "autograd"
            rows.append((model, "sinabs", mode, timed(*torch_step(make(sl), grad), calls=args.calls)))
            rows.append((model, "torch", mode, timed(*torch_step(make(ss), grad), calls=args.calls)))
        rows.append((model, "layers", "-", timed(numpy_step(make(nl)), None, args.calls)))
    print(f"one call on {SHAPE}, {args.calls} calls, {args.threads} torch thread(s); microseconds")
    print(f"{'model':5} {'variant':8} {'mode':9} {'p50':>8} {'p99':>8}")
    for model, variant, mode, (p50, p99) in rows:
        print(f"{model:5} {variant:8} {mode:9} {p50:8.1f} {p99:8.1f}")


if __name__ == "__main__":
    main()
