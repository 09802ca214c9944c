"""Workload B of the sinabs anchor benchmark (the conv SNN of the project's
speed targets), as sinabs defines it: squeeze-form IAF layers between
torch convolutions and sinabs SumPool2d, on DVS-like input."""
import torch
import torch.nn as nn
import sinabs.layers as sl

BATCH, STEPS = 8, 50


def conv_net():
    return nn.Sequential(
        nn.Conv2d(2, 16, 3, padding=1, bias=False), sl.IAFSqueeze(batch_size=BATCH),
        sl.SumPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), sl.IAFSqueeze(batch_size=BATCH),
        sl.SumPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1, bias=False), sl.IAFSqueeze(batch_size=BATCH),
        sl.SumPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 10, bias=False), sl.IAFSqueeze(batch_size=BATCH),
    )


def scale_weights(net):
    """torch's default init leaves this network almost silent (<0.5% of neurons
    spike); weights x3 give realistic activity (spiking layers fire at about
    2%, 9%, 31% and 40% of neuron-steps)."""
    with torch.no_grad():
        for module in net:
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.weight.mul_(3)


def dvs_input(activity=0.05):
    """(BATCH*STEPS, 2, 34, 34) spikes: each pixel fires with probability `activity`."""
    return (torch.rand(BATCH * STEPS, 2, 34, 34) < activity).float()
