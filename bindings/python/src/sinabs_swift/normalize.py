"""Data-based weight normalisation before conversion, and the ANN-vs-SNN
activity comparison (sinabs' ``utils.normalize_weights`` and
``Network.compare_activations``), on sinabs_swift.Sequential models."""
from typing import List, Optional, Sequence

import numpy as np


def _outputs(model, data, upto):
    """The output of every layer 0..upto for `data`, layer by layer."""
    outputs, x = [], data
    for index in range(upto + 1):
        x = np.array(model[index](x), copy=True)
        outputs.append(x)
    return outputs


def normalize_weights(ann, sample_data, output_layers: Sequence, param_layers: Sequence,
                      percentile: float = 99) -> None:
    """Rescales in place the parameters of each `param_layers[i]` by 1 / the
    `percentile` of `output_layers[i]`'s output on `sample_data`, one pair
    after the other (later pairs see the earlier rescaling), as sinabs'
    normalize_weights (Rueckauer et al. 2017).

    Args:
        ann: a sinabs_swift.Sequential.
        sample_data: a float32 array the ANN takes.
        output_layers: layer indices (ints or sinabs' name strings "1") whose
            activity is normalised, typically ReLUs.
        param_layers: the parameter layer before each of them.
        percentile: 0..100; 100 normalises by the maximum.
    """
    if len(output_layers) != len(param_layers):
        raise ValueError("output_layers and param_layers must have the same length")
    if not 0 <= float(percentile) <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {percentile}")
    data = np.ascontiguousarray(sample_data, dtype=np.float32)
    for out_name, param_name in zip(output_layers, param_layers):
        out_index, param_index = int(out_name), int(param_name)
        if not (0 <= out_index < len(ann) and 0 <= param_index < len(ann)):
            raise IndexError(f"layer index out of range: {out_name}, {param_name}")
        activity = _outputs(ann, data, out_index)[-1]
        scale = np.percentile(activity, percentile)
        if not np.isfinite(scale) or scale == 0:
            raise ValueError(f"layer {out_name}'s {percentile}th percentile is {scale}: cannot normalise by it")
        native = ann[param_index].native
        for name in native.parameter_names():
            np.asarray(native.get_parameter(name))[...] *= np.float32(1.0 / scale)


def compare_activations(ann, snn, data, name_list: Optional[List] = None, compute_rate: bool = False):
    """sinabs' Network.compare_activations for one sample of `data` (Time, ...)
    given to a squeezed SNN (batch size 1): the ANN sees data summed over time
    (its mean with `compute_rate`); returns (ann_activity, snn_activity,
    name_list) where name_list defaults to "Input" and the SNN's neuron layer
    indices, ANN activity is each listed layer's output and SNN activity the
    spike counts summed over time (per second, counts / T * 1000, with
    `compute_rate`; the input entry is sinabs' input sum * 1000)."""
    data = np.ascontiguousarray(data, dtype=np.float32)
    steps = data.shape[0]
    if name_list is None:
        name_list = ["Input"] + [str(i) for i, layer in enumerate(snn)
                                 if "v_mem" in getattr(layer.native, "state_names", lambda: ())()]
    indices = [int(name) for name in name_list if name != "Input"]
    last = max(indices, default=-1)
    analog_input = (data.mean(0) if compute_rate else data.sum(0))[None]
    ann_outputs = _outputs(ann, analog_input, last) if last >= 0 else []
    snn.reset_states()
    snn_outputs = _outputs(snn, data, last) if last >= 0 else []
    ann_activity, snn_activity = [], []
    for name in name_list:
        if name == "Input":
            ann_activity.append(analog_input)
            snn_activity.append(data.sum(0) * 1000)
        else:
            ann_activity.append(ann_outputs[int(name)])
            snn_activity.append(snn_outputs[int(name)].sum(0))
    if compute_rate:
        snn_activity = [counts / steps * 1000 for counts in snn_activity]
    return ann_activity, snn_activity, name_list


__all__ = ["normalize_weights", "compare_activations"]
