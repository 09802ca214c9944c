"""Per-neuron time constants vs scalar ones, sinabs_swift.torch on workload A
(B=32, T=100, N=4096): forward (no_grad) and forward + backward, LIF with
tau_mem and LIF with tau_mem and tau_syn, each as a scalar and as a tensor
of shape (N,). Prints ns per neuron-step (best of the repeats, alternating
scalar and per-neuron runs so that machine load hits both) and the ratio.

    python3 bench/bench_per_neuron.py [--repeats 8] [--threads 2]
"""

import argparse
import time

import torch

BATCH, TIME, NEURONS = 32, 100, 4096
STEPS = BATCH * TIME * NEURONS


def make(ss, per_neuron, syn):
    def tau(value):
        return torch.full((NEURONS,), value) * torch.linspace(0.5, 1.5, NEURONS) if per_neuron else value
    return ss.LIF(tau_mem=tau(20.0), tau_syn=tau(10.0) if syn else None)


def run(layer, x, grad, backward):
    layer.reset_states()
    start = time.perf_counter()
    if backward:
        x.grad = None
        layer(x).backward(grad)
    else:
        with torch.no_grad():
            layer(x)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import sinabs_swift
    import sinabs_swift.torch as ss
    sinabs_swift.set_num_threads(args.threads)
    x = torch.rand(BATCH, TIME, NEURONS, requires_grad=True)
    grad = torch.rand(BATCH, TIME, NEURONS)
    print(f"workload A: B={BATCH} T={TIME} N={NEURONS}; ns per neuron-step (best of {args.repeats})")
    print(f"{'model':14} {'pass':17} {'scalar':>8} {'per-neuron':>11} {'ratio':>6}")
    for syn in (False, True):
        layers = {kind: make(ss, kind, syn) for kind in (False, True)}
        for backward in (False, True):
            best = {False: float("inf"), True: float("inf")}
            for kind in (False, True):
                run(layers[kind], x, grad, backward)  # warm-up
            for _ in range(args.repeats):
                for kind in (False, True):
                    best[kind] = min(best[kind], run(layers[kind], x, grad, backward))
            scalar, per = (best[k] / STEPS * 1e9 for k in (False, True))
            name = "LIF+tau_syn" if syn else "LIF"
            what = "forward+backward" if backward else "forward"
            print(f"{name:14} {what:17} {scalar:8.2f} {per:11.2f} {per / scalar:6.2f}")


if __name__ == "__main__":
    main()
