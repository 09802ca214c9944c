"""Forward speed of neuron layers on workload A (B=32, T=100, N=4096):
a memcpy of the same bytes (the floor), libsinabs (ctypes, zero-copy input,
reused output) and sinabs 3.1.3 (torch CPU), in ns per neuron-step.

    SINABS_LIBRARY=build/lib/libsinabs.so.0 python3 bench/bench_forward.py [threads]
"""
import statistics
import sys
import time

import numpy as np

import sinabs_ctypes

B, T, N = 32, 100, 4096
STEPS = B * T * N
THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2

CASES = {  # name: (our model and options, sinabs constructor)
    "IAF": (("IAF", {}), lambda sl: sl.IAF()),
    "LIF": (("LIF", {"tau_mem": 20.0}), lambda sl: sl.LIF(tau_mem=20.0)),
    "LIF+tau_syn": (("LIF", {"tau_mem": 20.0, "tau_syn": 10.0}),
                    lambda sl: sl.LIF(tau_mem=20.0, tau_syn=10.0)),
    "ALIF": (("ALIF", {"tau_mem": 20.0, "tau_adapt": 50.0}),
             lambda sl: sl.ALIF(tau_mem=20.0, tau_adapt=50.0)),
}


def median_seconds(fn, reps):
    """Median and best of `reps` timed calls after one warm-up call (first
    touch, state allocation). The best shows the speed when the machine is
    not shared; the median what a run sees."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def ns(seconds):
    return seconds / STEPS * 1e9


def main():
    rng = np.random.default_rng(0)
    x = (rng.random((B, T, N), dtype=np.float32) * 0.5).astype(np.float32)
    out = np.empty_like(x)
    out.fill(0)  # first touch outside the timing

    memcpy = median_seconds(lambda: np.copyto(out, x), 20)

    lib = sinabs_ctypes.load()
    sinabs_ctypes.check(lib, lib.sinabs_set_num_threads(THREADS))
    x_t, out_t = sinabs_ctypes.Wrapped(lib, x), sinabs_ctypes.Wrapped(lib, out)
    ours = {}
    for name, ((model, fields), _) in CASES.items():
        layer = sinabs_ctypes.NeuronLayer(lib, model, **fields)
        ours[name] = median_seconds(lambda: layer.forward_into(out_t, x_t), 20)
        if name == "IAF":  # what a new output per call costs (allocation, first touch)
            fresh_output = median_seconds(lambda: layer.forward_new(x_t), 10)

    import torch
    import sinabs.layers as sl
    torch.set_num_threads(THREADS)
    xt = torch.from_numpy(x)
    theirs, mismatches = {}, {}
    for name, ((model, fields), make) in CASES.items():
        result = {}

        def run():
            with torch.no_grad():
                result["out"] = make(sl)(xt)
        theirs[name] = median_seconds(run, 3)
        # Same numbers? A fresh layer of ours against sinabs' last (fresh) run.
        sinabs_ctypes.NeuronLayer(lib, model, **fields).forward_into(out_t, x_t)
        mismatches[name] = int(np.count_nonzero(out != result["out"].numpy()))

    print(f"workload A: B={B} T={T} N={N} ({STEPS / 1e6:.1f} M neuron-steps), {THREADS} threads")
    print("ns per neuron-step, median of the runs (best in brackets)")
    print(f"{'memcpy (numpy copyto)':24s} {ns(memcpy[0]):6.2f} ({ns(memcpy[1]):.2f})")
    print(f"{'layer':14s} {'ours':>14s} {'sinabs':>16s} {'sinabs/ours':>12s} {'ours/memcpy':>12s}"
          f" {'outputs != sinabs':>18s}")
    for name in CASES:
        (o, o_best), (s, s_best) = ours[name], theirs[name]
        print(f"{name:14s} {ns(o):6.2f} ({ns(o_best):5.2f}) {ns(s):7.2f} ({ns(s_best):6.2f}) "
              f"{s / o:12.1f} {o / memcpy[0]:12.2f} {mismatches[name]:18d}")
    print(f"IAF with a new output tensor per call (sinabs_layer_forward): "
          f"{ns(fresh_output[0]):.2f} ({ns(fresh_output[1]):.2f})")


if __name__ == "__main__":
    main()
