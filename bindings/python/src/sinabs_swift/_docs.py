"""The documentation of each neuron model, written once: the numpy layers
(sinabs_swift.layers) and the torch modules (sinabs_swift.torch) compute the
same dynamics with the same arguments, so both take their docstrings from here.

`document(cls, model, summary, returns)` sets ``cls.__doc__`` to the summary,
the model's equations and arguments, and what a call returns.
"""
import textwrap

_STEP = """
    Per time step t, for every neuron (discrete time, sinabs 3.1.3):

{equations}

    The spike function S, the reset and the surrogate gradient are chosen
    with ``spike_fn``, ``reset_fn`` and ``surrogate_grad_fn`` (see
    :mod:`sinabs_swift.activation`); the defaults give
    ``S(v, theta) = (v > 0) * floor(v / theta)`` (MultiSpike; ALIF:
    SingleSpike, ``v >= theta``) and ``v <- v - S * theta``
    (MembraneSubtract). With ``min_v_mem`` the membrane is clipped from below
    after the reset: ``v <- max(v, min_v_mem)``.
"""

_SYNAPSE = """\
        i_syn(t) = a_syn * (i_syn(t-1) + x(t))      with tau_syn; else i_syn(t) = x(t)
"""

_EQUATIONS = {
    "IAF": _SYNAPSE + """\
        v(t)     = v(t-1) + i_syn(t)
        s(t)     = S(v(t), spike_threshold);  v(t) <- reset(v(t), s(t))""",
    "LIF": _SYNAPSE + """\
        v(t)     = a * v(t-1) + (1 - a) * i_syn(t)  with norm_input (default)
        v(t)     = a * v(t-1) + i_syn(t)            with norm_input=False
        s(t)     = S(v(t), spike_threshold);  v(t) <- reset(v(t), s(t))

    where a = exp(-1/tau_mem) and a_syn = exp(-1/tau_syn) (with
    ``train_alphas`` the layer holds and trains ``alpha_mem``/``alpha_syn``
    instead of ``tau_mem``/``tau_syn``). With norm_input the membrane settles
    at the mean input current: the layer fires only while that exceeds the
    threshold.""",
    "ExpLeak": """\
        v(t) = a * v(t-1) + (1 - a) * x(t)          with norm_input
        v(t) = a * v(t-1) + x(t)                    with norm_input=False (default)

    where a = exp(-1/tau_mem). No spikes: the output is v itself, a low-pass
    filter of the input.""",
    "ALIF": _SYNAPSE + """\
        v(t)     = a * v(t-1) + (1 - a) * i_syn(t)  (norm_input=False: without 1 - a)
        theta(t) = spike_threshold + adapt_scale * b(t-1)
        s(t)     = S(v(t), theta(t));  v(t) <- reset(v(t), s(t))
        b(t)     = rho * b(t-1) + (1 - rho) * s(t)

    where a = exp(-1/tau_mem), rho = exp(-1/tau_adapt): each spike raises the
    threshold, which decays back to ``spike_threshold`` (b0) with tau_adapt
    (Bellec et al. 2018, LSNN). The state ``spike_threshold`` holds
    theta after the step's adaptation; ``b`` the adaptation.""",
}

_COMMON_ARGS = {
    "tau_mem": "membrane time constant in time steps (> 0); a = exp(-1/tau_mem).",
    "tau_adapt": "time constant of the threshold adaptation (> 0).",
    "tau_syn": "synaptic time constant; ``None`` (default): the input is the current.",
    "adapt_scale": "how much one unit of ``b`` raises the threshold. Default 1.8.",
    "spike_threshold": "threshold theta (ALIF: its base b0). Default 1.0.",
    "spike_fn": "``MultiSpike`` (IAF/LIF default), ``SingleSpike`` (ALIF default) "
                "or ``MaxSpike(n)``; the class or an instance, ours or sinabs'.",
    "reset_fn": "``MembraneSubtract()`` (default: subtract the threshold, or "
                "``subtract_value``, per spike) or ``MembraneReset(reset_value)``.",
    "surrogate_grad_fn": "the derivative of the spike function used by backward. "
                         "Default ``SingleExponential()``.",
    "min_v_mem": "lower bound of the membrane after each step; ``None`` (default): none.",
    "train_alphas": "hold and train a = exp(-1/tau) instead of tau. Default False.",
    "shape": "create the states with this shape (Batch, ...) now instead of at the first call.",
    "norm_input": "scale the input by (1 - a). Default True (LIF, ALIF), False (ExpLeak).",
    "record_states": "keep every state at every step in ``recordings``. Default False.",
    "rec_connect": "the recurrent connection: a square Linear (N x N, optional bias; ours, "
                   "torch's, or anything with ``.weight``/``.bias``) applied to each step's "
                   "output and added to the next step's input. N is the number of neurons "
                   "per sample.",
    "batch_size": "Squeeze forms: the batch size B of the (B*T, ...) input "
                  "(or give num_timesteps).",
    "num_timesteps": "Squeeze forms: the number of steps T of the (B*T, ...) input "
                     "(or give batch_size).",
}

_ARGS = {
    "IAF": ["spike_threshold", "spike_fn", "reset_fn", "surrogate_grad_fn", "tau_syn",
            "min_v_mem", "shape", "record_states"],
    "LIF": ["tau_mem", "tau_syn", "spike_threshold", "spike_fn", "reset_fn", "surrogate_grad_fn",
            "min_v_mem", "train_alphas", "shape", "norm_input", "record_states"],
    "ExpLeak": ["tau_mem", "shape", "train_alphas", "min_v_mem", "norm_input", "record_states"],
    "ALIF": ["tau_mem", "tau_adapt", "tau_syn", "adapt_scale", "spike_threshold", "spike_fn",
             "reset_fn", "surrogate_grad_fn", "min_v_mem", "shape", "train_alphas", "norm_input",
             "record_states"],
}

_STATES = {
    "IAF": "``v_mem`` (and ``i_syn`` with tau_syn)",
    "LIF": "``v_mem`` (and ``i_syn`` with tau_syn)",
    "ExpLeak": "``v_mem``",
    "ALIF": "``v_mem``, ``b``, ``spike_threshold`` (and ``i_syn`` with tau_syn)",
}

_FORMS = {
    "": "Input ``(Batch, Time, ...)`` float32; output of the same shape.",
    "Squeeze": "Input ``(Batch*Time, ...)`` (time folded into the batch, as between "
               "Conv2d layers); output of the same shape. Give ``batch_size`` or "
               "``num_timesteps``.",
    "Recurrent": "Input ``(Batch, Time, ...)``; each step's output spikes go through "
                 "``rec_connect`` and are added to the next step's input "
                 "(x(t) <- x(t) + rec_connect(s(t-1))).",
}


def neuron_doc(model: str, summary: str, returns: str, form: str = "") -> str:
    """The docstring of a `model` layer in `form` ("", "Squeeze", "Recurrent")."""
    names = list(_ARGS[model])
    if form == "Squeeze":
        names = ["batch_size", "num_timesteps"] + names
    if form == "Recurrent":
        names.insert(2 if model == "ALIF" else (1 if model == "LIF" else 0), "rec_connect")
    arguments = "\n".join(_wrap(f"{name}: {_COMMON_ARGS[name]}", "        ", "            ")
                          for name in names)
    states = (f"States: {_STATES[model]}, shape (Batch, ...), carried from call to call "
              "until ``reset_states()``.")
    return (f"{summary}\n" + _STEP.format(equations=_EQUATIONS[model]) + "\n" +
            _wrap(_FORMS[form], "    ", "    ") + f"\n\n    Args:\n{arguments}\n\n" +
            _wrap(states, "    ", "    ") + "\n\n" +
            _wrap(f"Returns (a call): {returns}", "    ", "    ") + "\n")


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(text, width=88, initial_indent=first, subsequent_indent=rest)


def document(namespace: dict, returns: str, summaries: dict) -> None:
    """Sets the docstring of every class named in `summaries` found in `namespace`."""
    for name, summary in summaries.items():
        cls = namespace.get(name)
        if cls is None:
            continue
        for form in ("Squeeze", "Recurrent", ""):
            if name.endswith(form) and name[:len(name) - len(form)] in _ARGS:
                cls.__doc__ = neuron_doc(name[:len(name) - len(form)], summary, returns, form)
                break


SUMMARIES = {
    "IAF": "Integrate-and-fire neurons (sinabs.layers.IAF): no leak.",
    "LIF": "Leaky integrate-and-fire neurons (sinabs.layers.LIF).",
    "ExpLeak": "Leaky integrators without spikes (sinabs.layers.ExpLeak): output is v_mem.",
    "ALIF": "Adaptive leaky integrate-and-fire neurons (sinabs.layers.ALIF).",
    "IAFSqueeze": "IAF on time folded into the batch (sinabs.layers.IAFSqueeze).",
    "LIFSqueeze": "LIF on time folded into the batch (sinabs.layers.LIFSqueeze).",
    "ExpLeakSqueeze": "ExpLeak on time folded into the batch (sinabs.layers.ExpLeakSqueeze).",
    "ALIFSqueeze": "ALIF on time folded into the batch (sinabs.layers.ALIFSqueeze).",
    "IAFRecurrent": "IAF with a recurrent connection (sinabs.layers.IAFRecurrent).",
    "LIFRecurrent": "LIF with a recurrent connection (sinabs.layers.LIFRecurrent).",
    "ALIFRecurrent": "ALIF with a recurrent connection (sinabs.layers.ALIFRecurrent).",
}
