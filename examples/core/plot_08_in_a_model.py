r"""
A Function inside a model
=========================

**You will learn** to put a custom Function inside an ``nn.Module`` and train
it with an optimizer, to return values that are not tensors, and to keep a
Function's arithmetic in full precision under mixed precision.

So far the Function was called in a bare loop over four loose tensors. Real
code keeps its parameters in a :class:`torch.nn.Module`, trains them with an
optimizer from ``torch.optim``, and often runs under :func:`torch.autocast`,
which computes some operations in a 16-bit format. A custom Function fits in
all three; this page shows how, on the tutorial's fit of :math:`\sin(x)`.
"""

# %%
# A Function with a second, non-tensor output
# -------------------------------------------
# Everything runs on the CPU, whose mixed precision (``bfloat16``) every
# reader has. The Function is the first page's :math:`P_3`, with one
# addition: it also returns a plain Python float, the largest :math:`|t|` it
# was evaluated at. Legendre polynomials are made for :math:`[-1, 1]`, so
# this number says whether the fit stays there.
#
# ``backward`` gets one gradient per output of ``forward``. For an output
# that is not a tensor, autograd has nothing to track, and that gradient is
# always ``None`` (the assert checks it on every step below).
import math

import torch

print("Running on: cpu")


class CubicWithReach(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        reach = t.abs().max().item()  # a Python float: autograd never sees it
        return 0.5 * (5 * t**3 - 3 * t), reach

    @staticmethod
    def backward(ctx, grad_value, grad_reach):
        assert grad_reach is None  # the float has no gradient
        (t,) = ctx.saved_tensors
        return grad_value * 1.5 * (5 * t**2 - 1)


# %%
# The module
# ----------
# A module holds the parameters; the Function holds none, since its methods
# are static. Wrapping each value in :class:`torch.nn.Parameter` makes it a
# tensor that requires a gradient and that the module lists in
# ``parameters()``, which is what an optimizer is given. ``forward`` calls
# ``apply`` like any other operation, and keeps the float the Function
# returned as an ordinary attribute, for the training loop to print.
from torch import nn


class LegendreCubic(nn.Module):
    """The tutorial's model y = a + b P3(c + d x), started where the tutorial starts."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.0))
        self.b = nn.Parameter(torch.tensor(-1.0))
        self.c = nn.Parameter(torch.tensor(0.0))
        self.d = nn.Parameter(torch.tensor(0.3))
        self.reach = math.nan  # the largest |c + d x| of the last call

    def forward(self, x):
        value, self.reach = CubicWithReach.apply(self.c + self.d * x)
        return self.a + self.b * value


model = LegendreCubic()
print([name for name, _ in model.named_parameters()])

# %%
# Before it trains anything, the module's gradients are checked against
# those autograd computes on its own when the cubic is written with plain
# operations: they agree up to ``float32`` rounding.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

(model(x) - y).pow(2).sum().backward()
ours = [p.grad for p in model.parameters()]

a, b, c, d = (p.detach().clone().requires_grad_() for p in model.parameters())
t = c + d * x
(a + b * 0.5 * (5 * t**3 - 3 * t) - y).pow(2).sum().backward()
gap = max((mine - p.grad).abs().max().item() for mine, p in zip(ours, (a, b, c, d), strict=True))
print(f"largest difference from plain autograd's gradients: {gap:.1e}")
assert gap < 1e-3 * max(g.abs().max().item() for g in ours)

# %%
# Training with an optimizer
# --------------------------
# :class:`torch.optim.SGD` with the tutorial's step makes the update the
# first page wrote by hand, :math:`p \leftarrow p - \eta\,\partial L/\partial
# p`, on every parameter it was given. ``zero_grad`` replaces the loop that
# cleared each ``.grad``. The losses printed below are the first page's, to
# the last digit (the build checks them against the first page's values).
model = LegendreCubic()
model(x)
print(f"largest |c + d x| at the start: {model.reach:.3f}")
optimizer = torch.optim.SGD(model.parameters(), lr=5e-6)
for step in range(2000):
    loss = (model(x) - y).pow(2).sum()
    if step % 500 == 499:
        print(f"{step} {loss.item()}  (largest |c + d x|: {model.reach:.3f})")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

assert model.reach < 1  # the fit used P3 only inside [-1, 1]

# %%
# The largest :math:`|c + dx|` starts at :math:`0.3\pi \approx 0.94` and
# settles near 0.8 as :math:`d` falls: the fit uses :math:`P_3` well inside
# :math:`[-1, 1]`.
#
# Integer tensors among the outputs
# ---------------------------------
# A Function may also return an integer tensor, such as the index of the
# point where :math:`|t|` is largest. Integer tensors can never require a
# gradient, so autograd leaves this one out of the graph without being
# told; ``backward`` still receives a slot for it, filled with zeros. A
# floating-point output without a derivative is different: autograd would
# treat it as differentiable, so ``ctx.mark_non_differentiable`` must say
# otherwise, as :doc:`plot_03_common_mistakes` showed.


class CubicWithPeak(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return 0.5 * (5 * t**3 - 3 * t), t.abs().argmax()

    @staticmethod
    def backward(ctx, grad_value, grad_peak):
        print(f"backward receives for the index: {grad_peak!r}")
        (t,) = ctx.saved_tensors
        return grad_value * 1.5 * (5 * t**2 - 1)


t = torch.linspace(-1, 0.5, 4, requires_grad=True)
value, peak = CubicWithPeak.apply(t)
print(f"index {peak.item()}, {peak.dtype}, requires_grad={peak.requires_grad}")
value.sum().backward()
assert not peak.requires_grad
assert peak.grad_fn is None

# %%
# Mixed precision
# ---------------
# Inside a ``torch.autocast`` block, PyTorch runs some operations, matrix
# products and linear layers among them, in a 16-bit format (``bfloat16``
# on the CPU) and leaves elementwise arithmetic alone. The tutorial's model
# has no such operation, but :math:`c + d x` is exactly a linear layer with
# one input and one output, and written as :class:`torch.nn.Linear` it
# hands our Function a ``bfloat16`` tensor. What does the Function see?
#
# ``CubicSeen`` records the dtype of what reaches ``forward`` and
# ``backward``, and whether autocast is on there.
seen = []


class CubicSeen(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        seen.append(("forward", t.dtype, torch.is_autocast_enabled("cpu")))
        ctx.save_for_backward(t)
        return 0.5 * (5 * t**3 - 3 * t)

    @staticmethod
    def backward(ctx, grad_output):
        seen.append(("backward", grad_output.dtype, torch.is_autocast_enabled("cpu")))
        (t,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * t**2 - 1)


# %%
# The fix is two decorators from ``torch.amp``. ``custom_fwd`` with
# ``cast_inputs=torch.float32`` converts the floating-point inputs to
# ``float32`` and turns autocast off inside ``forward``; ``custom_bwd``
# runs ``backward`` with the autocast state ``forward`` had. Both name the
# device type whose autocast they manage.
class CubicFullPrecision(torch.autograd.Function):
    @staticmethod
    @torch.amp.custom_fwd(device_type="cpu", cast_inputs=torch.float32)
    def forward(ctx, t):
        return CubicSeen.forward(ctx, t)  # the same body, recording what it sees

    @staticmethod
    @torch.amp.custom_bwd(device_type="cpu")
    def backward(ctx, grad_output):
        return CubicSeen.backward(ctx, grad_output)


# %%
# Each Function runs once under autocast; the loss's ``backward`` runs
# after the block, as PyTorch recommends. Each line shows the dtype that
# arrived and whether autocast was on, then the output's dtype and the
# largest error of the cubic against the same inputs in ``float64``.
inner = nn.Linear(1, 1)
with torch.no_grad():
    inner.weight.fill_(0.3)  # d
    inner.bias.fill_(0.0)  # c

errors = {}
# what a line prints for each recorded pass and autocast state
shown = {
    "forward": "forward pass",
    "backward": "backward pass",
    True: "autocast on",
    False: "autocast off",
}
for function in (CubicSeen, CubicFullPrecision):
    seen.clear()
    inner.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        t = inner(x[:, None])
        value = function.apply(t)
    value.sum().backward()
    exact = 0.5 * (5 * t.double() ** 3 - 3 * t.double())
    errors[function.__name__] = (value.double() - exact).abs().detach().flatten()
    print(function.__name__)
    for where, dtype, autocast in seen:
        print(f"  {shown[where]} sees {dtype}, {shown[autocast]}")
    print(f"  output {value.dtype}, error {errors[function.__name__].max():.1e}")
    print(f"  the layer's weight gradient: {inner.weight.grad.dtype}")

assert seen == [("forward", torch.float32, False), ("backward", torch.float32, False)]
assert errors["CubicSeen"].max() > 1000 * errors["CubicFullPrecision"].max()

# %%
# The figure shows those errors along the data, as the largest in each
# stretch of 50 points: the ``bfloat16`` cubic is more than 1000 times worse
# everywhere, not only at its worst point. (Where the ``float32`` error is
# exactly zero, the log scale leaves a gap.)
import matplotlib.pyplot as plt

windows = {name: error.view(-1, 50).amax(dim=1) for name, error in errors.items()}
assert (windows["CubicSeen"] > 1000 * windows["CubicFullPrecision"]).all()
centres = x.view(-1, 50).mean(dim=1)
fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
for name, window in windows.items():
    shown = torch.where(window > 0, window, math.nan)  # a gap, not a plunge, at zero
    ax.semilogy(centres, shown, marker=".", label=name)
ax.set(
    xlabel="x",
    ylabel="largest error per 50 points (log scale)",
    title="Error of the cubic under autocast,\nwithout and with custom_fwd(cast_inputs=float32)",
)
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %%
# Without the decorators, ``forward`` computes the cubic in ``bfloat16``,
# which keeps two to three significant digits, and ``backward`` runs with
# autocast off while ``forward`` had it on: a Function that calls a matrix
# product would compute it in two precisions. With them, ``forward`` and
# ``backward`` both see ``float32`` and the same state, and the cubic is
# accurate to ``float32``.
# Either way the parameters, and so their gradients, stay ``float32``.
#
# ``custom_fwd`` without ``cast_inputs`` keeps autocast on inside
# ``forward`` and leaves the inputs as they come; ``custom_bwd`` then turns
# it on in ``backward`` too. Choose that when the Function's own operations
# are safe in 16 bits, and ``cast_inputs`` when they are not: a NumPy call
# (NumPy has no ``bfloat16``) or arithmetic that needs every digit.
#
# What we learned
# ---------------
# * A module holds the parameters as ``nn.Parameter`` and calls the
#   Function's ``apply`` in its ``forward``; an optimizer then trains it like
#   any module, with the same numbers as the hand-written loop.
# * ``forward`` may return Python values beside tensors: they pass through
#   untracked, and ``backward`` receives ``None`` for them. Integer tensors
#   never require a gradient; a floating-point output without a derivative
#   needs ``ctx.mark_non_differentiable``.
# * Under ``torch.autocast`` a Function receives what autocast produced, and
#   its ``backward`` runs outside the block. ``torch.amp.custom_fwd`` (with
#   ``cast_inputs`` to choose the precision) and ``torch.amp.custom_bwd`` make
#   ``forward`` and ``backward`` see one precision and one autocast state.
#
# .. seealso::
#
#    PyTorch's notes
#    `Extending torch.nn <https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-nn>`_
#    (a module around a Function) and
#    `Autocast and custom autograd Functions <https://docs.pytorch.org/docs/stable/notes/amp_examples.html#autocast-and-custom-autograd-functions>`_;
#    the reference of
#    `torch.amp.custom_fwd <https://docs.pytorch.org/docs/stable/amp.html#torch.amp.custom_fwd>`_
#    and ``custom_bwd``.

# sphinx_gallery_tags = ["custom Function", "nn.Module", "mixed precision", "training"]
