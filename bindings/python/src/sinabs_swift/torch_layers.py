"""The non-neuron modules of sinabs.layers, in torch, with sinabs'
constructor signatures and attributes, so that sinabs code needs only its
import line changed: pooling and cropping of spike maps, channel shifts and
merges, time flattening, quantisation and spike encoders."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .torch_activation import Quantize, StochasticRounding

__all__ = [
    "SumPool2d", "SpikingMaxPooling2dLayer", "Cropping2dLayer", "ChannelShift", "Merge",
    "FlattenTime", "UnflattenTime", "Repeat", "NeuromorphicReLU", "QuantizeLayer",
    "Img2SpikeLayer", "Sig2SpikeLayer",
]


def _pooled_size(size, kernel, stride):
    return (size - kernel) // stride + 1


class SumPool2d(nn.LPPool2d):
    """Sum over each pooling window (an LPPool2d of power 1, as in sinabs)."""

    def __init__(self, kernel_size, stride=None, ceil_mode=False):
        super().__init__(1, kernel_size, stride, ceil_mode)


class SpikingMaxPooling2dLayer(nn.Module):
    """Max pooling of spike trains on (Time, C, H, W): at each step a window
    passes the spikes of the input that has spiked most so far."""

    def __init__(self, pool_size, strides=None, padding=(0, 0, 0, 0)):
        super().__init__()
        self.padding = padding
        self.pool_size = pool_size
        self.strides = pool_size if strides is None else strides
        self.pad = None if padding == (0, 0, 0, 0) else nn.ZeroPad2d(padding)
        self.pool = nn.MaxPool2d(kernel_size=pool_size, stride=self.strides)
        self.spikes_number = None

    def _pooled(self, x):
        return self.pool(x if self.pad is None else self.pad(x))

    def forward(self, binary_input):
        counts = torch.cumsum(binary_input, 0)
        # The leading count of each window, and that of the inputs spiking now.
        leader = self._pooled(counts)
        spiking_now = self._pooled(counts * (binary_input > 0).float())
        output = (spiking_now >= leader).float() * self._pooled(binary_input)
        self.spikes_number = output.abs().sum()
        self.tw = len(output)
        return output.float()

    def get_output_shape(self, input_shape):
        channels, height, width = input_shape
        return (channels,
                _pooled_size(height + sum(self.padding[2:]), self.pool_size[0], self.strides[0]),
                _pooled_size(width + sum(self.padding[:2]), self.pool_size[1], self.strides[1]))


class Cropping2dLayer(nn.Module):
    """Crops ((top, bottom), (left, right)) pixels off (N, C, H, W) maps."""

    def __init__(self, cropping=((0, 0), (0, 0))):
        super().__init__()
        self.top_crop, self.bottom_crop = cropping[0]
        self.left_crop, self.right_crop = cropping[1]

    def forward(self, binary_input):
        _, self.channels_in, height, width = list(binary_input.shape)
        output = binary_input[:, :, self.top_crop:height - self.bottom_crop,
                              self.left_crop:width - self.right_crop]
        self.out_shape = output.shape[1:]
        self.spikes_number = output.abs().sum()
        self.tw = len(output)
        return output

    def get_output_shape(self, input_shape):
        channels, height, width = input_shape
        return (channels, height - self.top_crop - self.bottom_crop,
                width - self.left_crop - self.right_crop)


class ChannelShift(nn.Module):
    """Shifts the channels by `channel_shift` (zeros in front) along `channel_axis`."""

    def __init__(self, channel_shift: int = 0, channel_axis=-3) -> None:
        super().__init__()
        self.channel_shift = channel_shift
        self.channel_axis = channel_axis
        # F.pad lists (before, after) pairs from the last axis backwards.
        self.padding = [0, 0] * (-channel_axis)
        self.padding[-2] = channel_shift

    def forward(self, x):
        return F.pad(x, self.padding, mode="constant", value=0)


class Merge(nn.Module):
    """Sum of two inputs, the smaller zero-padded at the end of each axis."""

    def __init__(self) -> None:
        super().__init__()

    def forward(self, data1, data2):
        if data1.shape == data2.shape:
            return data1 + data2
        assert data1.dim() == data2.dim()
        target = [max(a, b) for a, b in zip(data1.shape, data2.shape)]

        def padded(x):
            pad = []
            for size, wanted in zip(reversed(x.shape), reversed(target)):
                pad += [0, wanted - size]
            return F.pad(x, pad, mode="constant", value=0)

        return padded(data1) + padded(data2)


class FlattenTime(nn.Flatten):
    """(Batch, Time, ...) -> (Batch*Time, ...)."""

    def __init__(self):
        super().__init__(start_dim=0, end_dim=1)


class UnflattenTime(nn.Module):
    """(Batch*Time, ...) -> (Batch, Time, ...) for a fixed batch size."""

    def __init__(self, batch_size: int):
        super().__init__()
        self.batch_size = batch_size

    def forward(self, x):
        return x.unflatten(0, (self.batch_size, x.shape[0] // self.batch_size))


class Repeat(nn.Module):
    """Applies `module` to every time step of (Batch, Time, ...) input."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x):
        leading = x.shape[:2]
        return self.module(x.flatten(0, 1)).unflatten(0, leading)

    def __repr__(self):
        return "Repeated " + repr(self.module)


class NeuromorphicReLU(nn.Module):
    """ReLU, quantised (floor, or stochastic rounding while training) with a
    straight-through gradient; `activity` = output sum per sample x fanout."""

    def __init__(self, quantize=True, fanout=1, stochastic_rounding=False):
        super().__init__()
        self.quantize = quantize
        self.stochastic_rounding = stochastic_rounding
        self.fanout = fanout

    def forward(self, inp):
        output = F.relu(inp)
        if self.quantize and self.stochastic_rounding:
            output = StochasticRounding.apply(output) if self.training else output.round()
        elif self.quantize:
            output = Quantize.apply(output)
        self.activity = output.sum() / len(output) * self.fanout
        return output


class QuantizeLayer(nn.Module):
    """floor() with a straight-through gradient (identity when quantize=False)."""

    def __init__(self, quantize=True):
        super().__init__()
        self.quantize = quantize

    def forward(self, data):
        return Quantize.apply(data) if self.quantize else data


class Img2SpikeLayer(nn.Module):
    """Poisson spike trains (tw steps) from an image: rate = pixel / norm x
    max_rate / 1000 per step; with negative_spikes, signed spikes from |pixel|."""

    def __init__(self, image_shape, tw: int = 100, max_rate: float = 1000, norm: float = 255.0,
                 squeeze: bool = False, negative_spikes: bool = False):
        super().__init__()
        self.tw = tw
        self.max_rate = max_rate
        self.norm = norm
        self.squeeze = squeeze
        self.negative_spikes = negative_spikes

    def forward(self, img_input):
        if self.squeeze:
            img_input = img_input.squeeze()
        draws = torch.rand(self.tw, *tuple(img_input.shape)).to(img_input.device)
        magnitude = img_input.abs() if self.negative_spikes else img_input
        spikes = (draws < (magnitude / self.norm) * (self.max_rate / 1000)).float()
        if self.negative_spikes:
            spikes = spikes * img_input.sign().float()
        self.spikes_number = spikes.abs().sum()
        self.tw = len(spikes)
        return spikes

    def get_output_shape(self, input_shape):
        return input_shape


class Sig2SpikeLayer(nn.Module):
    """Spikes from a (channels, time) signal: each sample repeated tw times,
    a spike where a uniform draw x norm_level falls below it; (time*tw, channels)."""

    def __init__(self, channels_in, tw: int = 1, norm_level: float = 1, spk_out: bool = True):
        super().__init__()
        self.tw = tw
        self.norm_level = norm_level
        self.spk_out = spk_out

    def get_output_shape(self, input_shape):
        channels, time_steps = input_shape
        return (self.tw * time_steps, channels)

    def forward(self, signal):
        channels, time_steps = signal.shape
        if self.tw != 1:
            signal = signal.reshape(-1, 1).repeat(1, self.tw).reshape(channels, -1)
        signal = signal.transpose(1, 0)
        if self.spk_out:
            draws = torch.rand(self.tw * time_steps, channels).to(signal.device) * self.norm_level
            signal = (draws < signal).float()
        self.spikes_number = signal.abs().sum()
        return signal
