"""Documentation a user reads with help(): every neuron layer of
sinabs_swift.layers and sinabs_swift.torch documents its equations and every
constructor argument with its default; the public API is annotated."""
import inspect
import re

import pytest

import sinabs_swift as ss
from sinabs_swift import _docs, activation, layers

torch = pytest.importorskip("torch")
import sinabs_swift.torch as sl  # noqa: E402

NAMES = sorted(_docs.SUMMARIES)


def documented_arguments(doc):
    section = doc.split("Args:")[1].split("States:")[0]
    return set(re.findall(r"^\s{8}(\w+):", section, flags=re.M))


def constructor_arguments(cls):
    names = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        parameters = inspect.signature(init).parameters
        names += [n for n, p in parameters.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]
        if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            break  # **kwargs pass on to the base class: keep collecting
    return set(names)


@pytest.mark.parametrize("module", [layers, sl], ids=["layers", "torch"])
@pytest.mark.parametrize("name", NAMES)
def test_every_argument_is_documented_with_the_equations(module, name):
    cls = getattr(module, name)
    doc = cls.__doc__
    assert "v(t)" in doc and "Args:" in doc and "States:" in doc
    assert constructor_arguments(cls) <= documented_arguments(doc), name
    assert "Default" in doc or "default" in doc


def test_layer_and_torch_docs_share_the_model_text():
    for name in NAMES:
        ours, theirs = getattr(layers, name).__doc__, getattr(sl, name).__doc__
        assert ours.split("Returns")[0] == theirs.split("Returns")[0]


@pytest.mark.parametrize("cls", [activation.MultiSpike, activation.SingleSpike, activation.MaxSpike,
                                 activation.MembraneSubtract, activation.MembraneReset,
                                 activation.SingleExponential, activation.Heaviside,
                                 activation.Gaussian, activation.MultiGaussian,
                                 activation.PeriodicExponential])
def test_activation_functions_state_their_formula(cls):
    doc = cls.__doc__
    assert doc and len(doc) > 60 and any(f in doc for f in ("s = ", "v <-", "ds/dv"))


def annotated(function):
    signature = inspect.signature(function)
    return all(p.annotation is not p.empty for n, p in signature.parameters.items()
               if n not in ("self", "kwargs", "args")) and signature.return_annotation is not signature.empty


@pytest.mark.parametrize("function", [
    ss.manual_seed, layers.IAF.__init__, layers.LIF.__init__, layers.ExpLeak.__init__,
    layers.ALIF.__init__, layers.LIF.forward, layers.LIF.reset_states, layers.Linear.__init__,
    layers.Linear.forward, layers.Sequential.forward, sl.reset_states, sl.zero_grad,
    sl.IAF.__init__, sl.LIF.__init__, sl.ExpLeak.__init__, sl.ALIF.__init__],
    ids=lambda f: f.__qualname__)
def test_public_api_is_annotated(function):
    assert annotated(function)
