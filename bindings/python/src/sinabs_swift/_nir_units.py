"""How NIR's continuous-time neuron parameters become our per-step ones, and back.

NIR describes neurons by ODEs (``tau dv/dt = v_leak - v + r I``); a simulator
steps them. Two discretisations are in use, picked by ``dt``:

- ``dt=None`` (sinabs' convention, the default): one NIR time unit per step and
  input arriving as a pulse each step: ``v <- exp(-1/tau) v + r I``. Our tau is
  NIR's tau; the input gain is r (IF: ``v <- v + r I``).
- ``dt`` given (forward Euler, as snnTorch writes its graphs):
  ``v <- (1 - dt/tau) v + (dt/tau) r I`` (IF: ``v <- v + dt r I``). The decay
  ``alpha = 1 - dt/tau`` must lie in (0, 1]; our tau is ``-1/log(alpha)``.

CubaLIF adds the synaptic current. Ours (as sinabs) decays it including this
step's input, ``i <- a_syn (i + x)``, then ``v <- a_mem v + i``; NIR's Euler form
(and snnTorch) adds the input undecayed, ``i <- (1 - dt/tau_syn) i + (dt/tau_syn)
w_in x``, so the gain carries a factor ``1/a_syn`` there.

Each ``*_gain`` gives the factor from one unit of NIR input to what our layer
adds to its membrane (or synaptic current) per step; import folds it into the
preceding weights. Every function works element-wise on float64 arrays.
"""
import numpy as np


def decay(tau, dt):
    """The per-step decay factor of time constant `tau` under `dt`."""
    tau = np.asarray(tau, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.exp(-1.0 / tau) if dt is None else 1.0 - dt / tau


def our_tau(nir_tau, dt):
    """Our tau (``alpha = exp(-1/tau)``) for a NIR time constant; ValueError
    when the Euler decay leaves (0, 1]."""
    nir_tau = np.asarray(nir_tau, dtype=np.float64)
    if dt is None:
        return nir_tau
    alpha = decay(nir_tau, dt)
    if not np.all((alpha > 0) & (alpha <= 1)):
        raise ValueError(f"tau must be larger than dt={dt} (the decay 1 - dt/tau must lie in (0, 1]); "
                         f"got tau {nir_tau.min()}..{nir_tau.max()}")
    with np.errstate(divide="ignore"):
        return -1.0 / np.log(alpha)


def nir_tau(tau, dt):
    """The NIR time constant that `our_tau` maps back to `tau`."""
    tau = np.asarray(tau, dtype=np.float64)
    if dt is None:
        return tau
    return dt / (1.0 - np.exp(-1.0 / tau))


def if_gain(r, dt):
    return np.asarray(r, dtype=np.float64) * (1.0 if dt is None else dt)


def leaky_gain(r, tau, dt):
    """LIF and LI."""
    r = np.asarray(r, dtype=np.float64)
    return r if dt is None else r * dt / np.asarray(tau, dtype=np.float64)


def cuba_gain(r, w_in, tau_syn, tau_mem, dt):
    gain = np.asarray(r, dtype=np.float64) * np.asarray(w_in, dtype=np.float64)
    if dt is None:
        return gain
    tau_syn = np.asarray(tau_syn, dtype=np.float64)
    return gain * (dt / np.asarray(tau_mem, dtype=np.float64)) * (dt / tau_syn) / decay(tau_syn, dt)


def if_r(gain, dt):
    """The r whose if_gain is `gain` (export)."""
    return np.asarray(gain, dtype=np.float64) / (1.0 if dt is None else dt)


def leaky_r(gain, tau_nir, dt):
    gain = np.asarray(gain, dtype=np.float64)
    return gain if dt is None else gain * np.asarray(tau_nir, dtype=np.float64) / dt


def cuba_r_w_in(gain, tau_syn_nir, tau_mem_nir, dt):
    """(r, w_in) whose cuba_gain is `gain` (w_in = 1 without dt)."""
    gain = np.asarray(gain, dtype=np.float64)
    if dt is None:
        return gain, np.ones_like(gain)
    tau_syn_nir = np.asarray(tau_syn_nir, dtype=np.float64)
    w_in = decay(tau_syn_nir, dt) * tau_syn_nir / dt
    return gain * np.asarray(tau_mem_nir, dtype=np.float64) / dt, w_in
