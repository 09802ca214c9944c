"""Optimizers and gradient clipping for sinabs_swift.Sequential, run by
libsinabs (torch.optim's update rules, without torch):

    opt = sinabs_swift.optim.Adam(model, lr=2e-3)
    loss = sinabs_swift.optim.train_step(model, opt, x, labels)   # one call
    # or by hand:
    opt.zero_grad(); model.train(); y = model(x)
    value, gy = sinabs_swift.losses.cross_entropy(y, labels)
    model.backward(gy); sinabs_swift.optim.clip_grad_norm_(model, 1.0); opt.step()
"""
from . import _native

_LOSSES = {
    "mse": _native.LOSS_MSE,
    "cross_entropy_sum": _native.LOSS_CROSS_ENTROPY_SUM,
    "cross_entropy_mean": _native.LOSS_CROSS_ENTROPY_MEAN,
}


def _native_model(model):
    native = getattr(model, "native", model)
    if not isinstance(native, _native.Model):
        raise TypeError(f"expected a sinabs_swift.Sequential, got {type(model).__name__}")
    return native


class _Optimizer:
    def __init__(self, model, kind, **options):
        self.model = model
        self.options = dict(options)
        self._native = _native.Optimizer(_native_model(model), kind, **options)

    @property
    def native(self):
        return self._native

    def step(self):
        """One update of every trainable parameter from its gradient."""
        self._native.step()

    def zero_grad(self):
        self._native.zero_grad()

    def __repr__(self):
        options = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{type(self).__name__}({options})"


class SGD(_Optimizer):
    """torch.optim.SGD: momentum, dampening, weight_decay, nesterov. With
    max_grad_norm, train_step clips the global gradient norm before each update."""

    def __init__(self, model, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 max_grad_norm=None):
        super().__init__(model, _native.OPTIMIZER_SGD, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=bool(nesterov), max_grad_norm=max_grad_norm)


class Adam(_Optimizer):
    """torch.optim.Adam (amsgrad off), with bias correction."""

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, max_grad_norm=None):
        beta1, beta2 = betas
        super().__init__(model, _native.OPTIMIZER_ADAM, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay, max_grad_norm=max_grad_norm)


def clip_grad_norm_(model, max_norm):
    """torch.nn.utils.clip_grad_norm_ (2-norm) over the model's gradients, in
    place; returns the total norm before clipping."""
    return _native_model(model).clip_grad_norm(float(max_norm))


def train_step(model, optimizer, input_data, target, loss="cross_entropy_sum"):
    """zero_grad, training forward, loss, backward, clipping (the optimizer's
    max_grad_norm), update: one call into libsinabs. States are not reset.
    loss: "mse", "cross_entropy_sum" or "cross_entropy_mean" (integer labels)."""
    from .losses import _as_target
    try:
        kind = _LOSSES[loss]
    except KeyError:
        raise ValueError(f"loss must be one of {sorted(_LOSSES)}, got {loss!r}") from None
    native_optimizer = getattr(optimizer, "native", optimizer)
    return _native_model(model).train_step(native_optimizer, input_data, _as_target(target, kind), kind)
