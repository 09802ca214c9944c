"""Where the event-driven Conv2d kernel stops paying: forward time of the
dense (im2col + OpenBLAS) and the sparse (scatter) kernel over input
densities, on the three conv layers of workload B (sinabs' conv SNN anchor:
2->16 at 34x34, 16->32 at 17x17, 32->32 at 8x8; 3x3, padding 1; 400 frames).
Inputs are spike counts (0/1, and 0..4 for the sum-pooled inputs of layers 2
and 3). Prints one row per density and the measured crossover per layer;
Conv2d.sparseCrossoverDensity is set from these rows. With --linear, the
same for Linear (512 -> 10, workload B's readout, and 2048 -> 256) on 400
rows of spikes (Linear.sparseCrossoverDensity).

    make python && python bench/bench_conv_crossover.py [--linear]"""
import statistics
import sys
import time

import numpy as np

from sinabs_swift import _native
from sinabs_swift import layers as L

DENSITIES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0]
LAYERS = [("conv1 2->16 34x34", 2, 16, 34, 1), ("conv2 16->32 17x17", 16, 32, 17, 4),
          ("conv3 32->32 8x8", 32, 32, 8, 4)]
FRAMES = 400
KERNELS = {"dense": _native.CONV_KERNEL_DENSE, "sparse": _native.CONV_KERNEL_SPARSE}


def best_of(fn, reps=5):
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def crossover_rows(name, layer, make_input, out):
    crossover = None
    for density in DENSITIES:
        x = make_input(density)
        times = {}
        for kernel in ("dense", "sparse"):
            layer.native.set_kernel(KERNELS[kernel])
            times[kernel] = best_of(lambda: layer(x, out=out))
        ratio = times["sparse"] / times["dense"]
        if ratio > 1 and crossover is None:
            crossover = density
        print(f"{name:22s} {density:8.3f} {times['dense'] * 1e3:9.2f} {times['sparse'] * 1e3:10.2f} "
              f"{ratio:13.2f}", flush=True)
    print(f"{name:22s} sparse slower from density {crossover}\n", flush=True)


def main():
    rng = np.random.default_rng(0)
    print(f"{'layer':22s} {'density':>8s} {'dense ms':>9s} {'sparse ms':>10s} {'sparse/dense':>13s}")
    if "--linear" in sys.argv:
        for features, outputs in ((512, 10), (2048, 256)):
            crossover_rows(f"linear {features}->{outputs}", L.Linear(features, outputs, bias=False),
                           lambda d: (rng.random((FRAMES, features)) < d).astype(np.float32),
                           np.empty((FRAMES, outputs), np.float32))
        return
    for name, cin, cout, size, max_count in LAYERS:
        conv = L.Conv2d(cin, cout, 3, padding=1, bias=False)

        def spikes(density):
            active = rng.random((FRAMES, cin, size, size)) < density
            return (active * rng.integers(1, max_count + 1, active.shape)).astype(np.float32)
        crossover_rows(name, conv, spikes, np.empty((FRAMES, cout, size, size), np.float32))


if __name__ == "__main__":
    sys.exit(main())
