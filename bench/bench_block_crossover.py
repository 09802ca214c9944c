"""Where the fused inference block (Conv2d -> IAFSqueeze -> SumPool2d frame by
frame with the event-driven conv) stops beating the dense conv followed by
the separate layers: workload B's three blocks at several input densities,
each block alone in a sinabs_swift.Sequential with its conv forced "sparse"
(fused) or "dense" (not fused). Best of the repeats, the two taking turns.
ConvBlock.sparseCrossoverDensity (Sources/SinabsCore/Models/ConvBlock.swift)
comes from this.

    python bench/bench_block_crossover.py [--repeats 15] [--threads 2]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from anchor_workload_b import conv_net, dvs_input, scale_weights  # noqa: E402
from bench_models import native_net  # noqa: E402

import sinabs_swift as ss  # noqa: E402


def block_inputs(net, x):
    """The input of each block (0, 3, 6) for network input x."""
    inputs, current = [x], x
    for start in (0, 3):
        current = np.asarray(ss.Sequential(*native_net(net)[start:start + 3])(current)).copy()
        inputs.append(current)
    return inputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ss.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = conv_net()
    scale_weights(net)
    for activity in (0.05, 0.3, 0.5, 0.7, 0.9, 1.0):
        cells = []
        for block, x in enumerate(block_inputs(net, dvs_input(activity).numpy())):
            models = {}
            for kernel in ("sparse", "dense"):
                layers = native_net(net)[3 * block:3 * block + 3]
                layers[0].set_kernel(kernel)
                models[kernel] = ss.Sequential(*layers)
            times = {kernel: [] for kernel in models}
            for _ in range(args.repeats):
                for kernel, model in models.items():
                    model.reset_states()
                    start = time.perf_counter()
                    model(x)
                    times[kernel].append(time.perf_counter() - start)
            fused, dense = min(times["sparse"]), min(times["dense"])
            cells.append(f"block {block} density {np.count_nonzero(x) / x.size:4.2f}: "
                         f"fused {fused * 1e3:5.1f} ms, dense {dense * 1e3:5.1f} ms ({fused / dense:4.2f}x)")
        print(f"input activity {activity:4.0%}  " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
