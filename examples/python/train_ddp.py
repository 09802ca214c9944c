"""Data-parallel training of a spiking network on CPUs: two processes from one
command, torch.distributed with the gloo backend, DistributedDataParallel
around a model of torch Linear layers and sinabs_swift.torch neuron layers.

Each rank trains on its half of every batch; DDP averages the gradients
(including those of the trainable time constants), so both ranks keep
identical parameters, equal to one process training on the whole batch.

    python3 examples/python/train_ddp.py [--steps 30] [--world-size 2]

Neuron states are per sample, so they are not broadcast between ranks
(no buffer sync in forward); sinabs.reset_states(model) (or each layer's
reset_states) starts every batch from zero on every rank.
"""

import argparse
import inspect
import os
import socket
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

import sinabs_swift
import sinabs_swift.torch as sl

BATCH, TIME, FEATURES, HIDDEN, CLASSES = 16, 25, 12, 32, 4


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(FEATURES, HIDDEN), sl.LIF(tau_mem=8.0, norm_input=False),
                         nn.Linear(HIDDEN, HIDDEN), sl.IAF(),
                         nn.Linear(HIDDEN, CLASSES), sl.ExpLeak(tau_mem=10.0))


def make_batches(steps):
    """(input spikes, labels) per step, the same on every rank."""
    generator = torch.Generator().manual_seed(1)
    batches = []
    for _ in range(steps):
        labels = torch.randint(0, CLASSES, (BATCH,), generator=generator)
        rates = 0.1 + 0.4 * (torch.arange(FEATURES) % CLASSES == labels[:, None]).float()
        spikes = (torch.rand(BATCH, TIME, FEATURES, generator=generator) < rates[:, None]).float()
        batches.append((spikes, labels))
    return batches


def reset(model):
    for module in model.modules():
        if isinstance(module, sl.NeuronModule):
            module.reset_states()


def train(model, batches, rank=0, world_size=1):
    """SGD on each rank's share of every batch; returns the losses."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.03)
    share = BATCH // world_size
    losses = []
    for spikes, labels in batches:
        part = slice(rank * share, (rank + 1) * share)
        reset(model)
        optimizer.zero_grad()
        logits = model(spikes[part]).mean(1)  # leaky readout, averaged over time
        loss = nn.functional.cross_entropy(logits, labels[part])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def no_buffer_sync():
    """DDP's option that keeps buffers (our neuron states) rank-local: newer
    torch calls it forward_sync_buffers, older ones broadcast_buffers."""
    parameters = inspect.signature(DistributedDataParallel.__init__).parameters
    if "forward_sync_buffers" in parameters:
        return {"forward_sync_buffers": False}
    return {"broadcast_buffers": False}


def worker(rank, world_size, init_file, steps, result_file):
    torch.set_num_threads(1)
    sinabs_swift.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank,
                            world_size=world_size)
    model = DistributedDataParallel(make_model(), **no_buffer_sync())
    losses = train(model, make_batches(steps), rank, world_size)
    parameters = {name: p.detach().clone() for name, p in model.module.named_parameters()}
    torch.save({"parameters": parameters, "losses": losses}, f"{result_file}.{rank}")
    dist.destroy_process_group()


def run_distributed(steps=30, world_size=2):
    """Trains with `world_size` processes; returns each rank's results."""
    with tempfile.TemporaryDirectory() as folder:
        init_file, result_file = os.path.join(folder, "init"), os.path.join(folder, "result")
        mp.spawn(worker, args=(world_size, init_file, steps, result_file), nprocs=world_size)
        return [torch.load(f"{result_file}.{rank}") for rank in range(world_size)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--world-size", type=int, default=2)
    args = parser.parse_args()
    results = run_distributed(args.steps, args.world_size)
    single = make_model()
    train(single, make_batches(args.steps))
    for rank, result in enumerate(results):
        print(f"rank {rank}: loss {result['losses'][0]:.4f} -> {result['losses'][-1]:.4f}")
    worst = max((result["parameters"][name] - p.detach()).abs().max().item()
                for result in results for name, p in single.named_parameters())
    print(f"largest difference to one process on the whole batch: {worst:.2e}")
    print(f"trained tau_mem: {[round(p.item(), 4) for n, p in single.named_parameters() if 'tau' in n]}")


if __name__ == "__main__":
    main()
