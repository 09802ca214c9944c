"""One training step (forward, cross-entropy over summed spikes, backward,
Adam) of the digits conv SNN (examples/*/train_digits*): libsinabs'
Sequential.train_step against the same network in torch + sinabs (autograd,
torch.optim.Adam), in the same run, same thread count. Prints the ratio.

    python3 bench/bench_train_step.py [--threads 1] [--batch 32] [--steps 10]
"""
import argparse
import time

import numpy as np
import torch

import sinabs.layers as sl
import sinabs_swift as ss


def ours(steps, batch):
    layer = ss.layers.from_description
    model = ss.Sequential(layer("Conv2d", in_channels=1, out_channels=16, kernel_size=3, padding=1),
                          layer("IAFSqueeze", num_timesteps=steps), layer("SumPool2d", kernel_size=2),
                          layer("Flatten"), ss.Linear(256, 10), layer("IAFSqueeze", num_timesteps=steps))
    optimizer = ss.optim.Adam(model, lr=2e-3)

    def step(x, labels):
        model.reset_states()
        return model.train_step(optimizer, x, labels)
    return model, step


def reference(steps, batch):
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), sl.IAFSqueeze(num_timesteps=steps),
                                sl.SumPool2d(2), torch.nn.Flatten(), torch.nn.Linear(256, 10),
                                sl.IAFSqueeze(num_timesteps=steps))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    def step(x, labels):
        for module in model:
            if hasattr(module, "reset_states"):
                module.reset_states()
        optimizer.zero_grad()
        scores = model(torch.from_numpy(x)).reshape(len(labels), steps, 10).sum(1)
        loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(labels))
        loss.backward()
        optimizer.step()
        return loss.item()
    return model, step


def best_time(step, data, repeats):
    times = []
    for x, labels in data[:2]:
        step(x, labels)  # warm-up
    for _ in range(repeats):
        started = time.perf_counter()
        for x, labels in data:
            step(x, labels)
        times.append((time.perf_counter() - started) / len(data))
    return min(times), float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    ss.set_num_threads(arguments.threads)
    rng = np.random.default_rng(0)
    data = [((rng.random((arguments.batch * arguments.steps, 1, 8, 8)) < 0.3).astype(np.float32),
             rng.integers(0, 10, arguments.batch)) for _ in range(10)]
    print(f"train step, digits conv SNN, batch {arguments.batch} x {arguments.steps} steps, "
          f"{arguments.threads} thread(s): ms per step, best / median of {arguments.repeats}")
    results = {}
    for name, build in (("libsinabs Sequential.train_step", ours), ("torch + sinabs 3.1.3", reference)):
        _, step = build(arguments.steps, arguments.batch)
        results[name] = best_time(step, data, arguments.repeats)
        print(f"  {name:34s} {1e3 * results[name][0]:7.2f} / {1e3 * results[name][1]:7.2f}")
    ours_time, theirs_time = results["libsinabs Sequential.train_step"], results["torch + sinabs 3.1.3"]
    print(f"  ratio (sinabs / ours): {theirs_time[0] / ours_time[0]:.1f}x best, "
          f"{theirs_time[1] / ours_time[1]:.1f}x median")


if __name__ == "__main__":
    main()
