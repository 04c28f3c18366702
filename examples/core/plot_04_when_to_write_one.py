r"""
When to write a custom Function, and when not to
================================================

**You will learn** when a custom Function is worth writing, when plain
tensor code is the better choice, and how to wrap NumPy code in a Function
that autograd can differentiate, twice.

The earlier pages wrote :math:`P_3(x) = \tfrac12 (5x^3 - 3x)` as a custom
:class:`torch.autograd.Function`. That is a good way to learn the mechanics,
but autograd never needed the help: it differentiates those few tensor
operations by itself. A custom Function earns its place when autograd cannot
follow the computation, or when you know a better gradient than the one it
would build:

* the forward pass runs in code autograd cannot see, such as NumPy or
  another library that returns plain arrays;
* the derivative you can write is cheaper, or more stable numerically, than
  the chain rule taken through every step of the forward pass;
* the forward pass is a kernel of your own (C++, CUDA, Triton), which
  autograd knows nothing about. If that kernel must also work under
  :func:`torch.compile`, PyTorch's tool for it is
  :func:`torch.library.custom_op` (:doc:`plot_07_compiling`).

This page works through the first case: a Legendre series evaluated by
``numpy.polynomial.legendre``. It shows what goes wrong without a Function,
and the Function that fixes it.
"""

# %%
# On the CPU
# ----------
# NumPy computes on the CPU only, so this page keeps every tensor there, in
# double precision.
#
# ``attempt`` runs a piece of code and prints the first line of the error
# torch raised, if any: every message below is the one the installed torch
# printed while this page was built. Nine points are enough to see every
# value.
import torch

import legendre

print("Running on: cpu")
print(f"torch {torch.__version__}")


def attempt(action):
    """Run ``action``; print the first line of its error, or that it ran. Return the error."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 (showing any error is the point)
        print(f"raises {type(error).__name__}: {str(error).splitlines()[0]}")
        return error
    print("runs")
    return None


def p3_derivative(t):
    """:math:`P_3'(t)`, written out: the reference for the gradients on this page."""
    return 1.5 * (5 * t**2 - 1)


x = torch.linspace(-1, 1, 9, dtype=torch.float64)

# %%
# When not to: autograd already follows plain tensor code
# -------------------------------------------------------
# Written with tensor operations, :math:`P_3` is a multiplication, a power, a
# subtraction and two more multiplications. Autograd records one node for
# each while the forward pass runs, and each node knows its own derivative.
# :class:`legendre.LegendrePolynomial3` records a single node instead, whose
# backward does the same arithmetic in one formula. ``recorded`` walks the
# graph behind a tensor and names its nodes.


def recorded(tensor):
    """Names of the backward nodes behind ``tensor``, from the output towards the inputs."""
    names, pending = [], [tensor.grad_fn]
    while pending:
        node = pending.pop(0)
        if node is None or node.name().endswith("AccumulateGrad"):
            continue  # AccumulateGrad stores a leaf's .grad; it computes nothing
        names.append(node.name())
        pending += [child for child, _ in node.next_functions]
    return names


t = x.clone().requires_grad_()
plain = 0.5 * (5 * t**3 - 3 * t)
custom = legendre.LegendrePolynomial3.apply(t)
print("plain tensor code:", recorded(plain))
print("custom Function:  ", recorded(custom))
assert sorted(recorded(plain)) == ["MulBackward0"] * 3 + ["PowBackward0", "SubBackward0"]
assert recorded(custom) == ["LegendrePolynomial3Backward"]

# %%
# Both graphs give the same gradient, up to rounding, because both apply
# :math:`P_3'(x) = \tfrac32 (5x^2 - 1)`: autograd assembles it from the five
# local derivatives, the Function writes it out.
(autograd_gradient,) = torch.autograd.grad(plain.sum(), t)
(function_gradient,) = torch.autograd.grad(custom.sum(), t)
difference = (autograd_gradient - function_gradient).abs().max().item()
print(f"largest difference between the two gradients: {difference:.1e}")
assert torch.allclose(autograd_gradient, function_gradient)
assert torch.allclose(function_gradient, p3_derivative(x))

# %%
# Writing one node instead of five is no promise of speed either: the
# Function still records a node, and autograd still calls its backward. For
# a few elementwise operations the two cost about the same;
# :doc:`../further/plot_12_performance` times them, on one thread. What the
# Function costs you is certain: a derivative to write, to check and to keep
# right when the forward pass changes. For :math:`P_3`, plain tensor code is
# the better choice.
#
# When to: code autograd cannot see
# ---------------------------------
# NumPy's Legendre module evaluates any Legendre series: ``legval(x, c)``
# returns :math:`\sum_k c_k P_k(x)`, so the coefficients ``[0, 0, 0, 1]``
# give :math:`P_3`. Autograd records torch operations only, and NumPy arrays
# carry no graph. Torch refuses to hand NumPy a tensor that requires a
# gradient:
import numpy as np
from numpy.polynomial import legendre as npleg

P3 = (0.0, 0.0, 0.0, 1.0)  # P3 as a Legendre series
t = x.clone().requires_grad_()
assert attempt(lambda: npleg.legval(t.numpy(), P3)) is not None

# %%
# Following the hint, ``detach()``, gives the right values, but the tensor
# made from NumPy's result has no history. Differentiating it fails:
values = torch.from_numpy(npleg.legval(t.detach().numpy(), P3))
right = torch.allclose(values, legendre.LegendrePolynomial3.apply(x))
print("values match P3:", right, "| history:", values.grad_fn)
assert right
assert values.grad_fn is None
assert attempt(lambda: values.sum().backward()) is not None

# %%
# Worse is the silent case. In the tutorial's model
# :math:`a + b\,P_3(c + dx)`, the loss still depends on :math:`a` and
# :math:`b` through torch operations, so ``backward`` runs without complaint;
# but :math:`c` and :math:`d` reach the loss only through NumPy, and their
# gradients never arrive: their ``.grad`` stays ``None``. The tutorial's
# update would stop at them with a ``TypeError``; an optimizer
# (:doc:`plot_08_in_a_model`) skips them and leaves them where they started.
a, b, c, d = (torch.tensor(v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
z = (c + d * x).detach()
loss = (a + b * torch.from_numpy(npleg.legval(z.numpy(), P3)) - torch.sin(x)).pow(2).sum()
loss.backward()
missing = [name for name, p in zip("abcd", (a, b, c, d), strict=True) if p.grad is None]
print("parameters left without a gradient:", missing)
assert missing == ["c", "d"]

# %%
# The NumPy-backed Function
# -------------------------
# A Function tells autograd what it cannot work out: here, that the output
# depends on ``x`` and with which derivative. The derivative of a Legendre
# series is another Legendre series, whose coefficients ``legder`` computes.
# So ``backward`` calls the Function itself with those coefficients. That
# keeps the backward pass visible to autograd too: second derivatives come out
# right, unlike those of the NumPy backward in :doc:`plot_03_common_mistakes`.
#
# The coefficients are a tuple of Python floats, not a tensor: ``forward``
# keeps what ``backward`` needs from them as an attribute of ``ctx``, and
# ``backward`` returns ``None`` as their gradient.
#
# NumPy reads CPU memory only. ``numpy_legval`` therefore moves ``x`` to the
# CPU (``.cpu()``) and the result back to ``x``'s device and dtype (``.to``).
# For a tensor already on the CPU the first move costs nothing: NumPy reads
# the tensor's own memory, as checked below. For a tensor on a GPU, each call
# copies across the bus twice, and waits for the GPU to finish its queued
# work first; the backward pass pays the same again.


def numpy_legval(x, coefficients):
    r""":math:`\sum_k c_k P_k(x)` computed by NumPy, returned on ``x``'s device and dtype."""
    on_cpu = x.detach().cpu()  # the same tensor when x is on the CPU; a copy from a GPU
    values = np.asarray(npleg.legval(on_cpu.numpy(), coefficients))  # 0-d x gives a NumPy scalar
    return torch.from_numpy(values).to(device=x.device, dtype=x.dtype)


class LegendreSeries(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, coefficients):
        ctx.save_for_backward(x)  # the derivative is evaluated where the series was
        ctx.derivative = tuple(npleg.legder(coefficients).tolist())
        return numpy_legval(x, coefficients)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * LegendreSeries.apply(x, ctx.derivative), None


shared = np.shares_memory(x.detach().cpu().numpy(), x.numpy())
print("on the CPU, NumPy reads the tensor's own memory:", shared)
assert shared

# %%
# With ``P3`` as the coefficients, the Function gives the values and the
# gradient of :class:`legendre.LegendrePolynomial3`, and autograd records it
# as one node:
t = x.clone().requires_grad_()
series = LegendreSeries.apply(t, P3)
(gradient,) = torch.autograd.grad(series.sum(), t)
same = torch.allclose(series, legendre.LegendrePolynomial3.apply(x))
print("values match:", same, "| gradients match:", torch.allclose(gradient, p3_derivative(x)))
print("recorded:", recorded(series))
assert same
assert torch.allclose(gradient, p3_derivative(x))
assert recorded(series) == ["LegendreSeriesBackward"]

# %%
# The silent case is gone: through the Function, all four parameters of the
# tutorial's model get their gradient.
a, b, c, d = (torch.tensor(v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
loss = (a + b * LegendreSeries.apply(c + d * x, P3) - torch.sin(x)).pow(2).sum()
loss.backward()
missing = [name for name, p in zip("abcd", (a, b, c, d), strict=True) if p.grad is None]
print("parameters left without a gradient:", missing)
assert missing == []

# %%
# Drawn on a finer grid, the gradient that ``backward`` hands to autograd is
# NumPy's derivative of the series, the :math:`P_3'` the tutorial writes out.
import matplotlib.pyplot as plt

grid = torch.linspace(-1, 1, 101, dtype=torch.float64, requires_grad=True)
on_grid = LegendreSeries.apply(grid, P3)
(slope,) = torch.autograd.grad(on_grid.sum(), grid)
fig, ax = plt.subplots(figsize=(4.5, 3.4), layout="constrained")
ax.plot(grid.detach(), on_grid.detach(), color="0.5", label="P3, by NumPy")
ax.plot(grid.detach(), slope, color="C3", label="its gradient, from backward")
ax.plot(grid.detach(), p3_derivative(grid.detach()), "k:", label="P3', written out")
ax.set(xlabel="x", title="A NumPy-backed Function and its gradient")
ax.legend()
plt.show()

# %%
# :func:`torch.autograd.gradcheck` and ``gradgradcheck``, from
# :doc:`plot_02_checking_backward`, compare the first and second derivatives
# with finite differences; double precision, as here, keeps them meaningful.
first = torch.autograd.gradcheck(LegendreSeries.apply, (t, P3))
second = torch.autograd.gradgradcheck(LegendreSeries.apply, (t, P3))
print(f"gradcheck: {first}, gradgradcheck: {second}")
assert first
assert second

# %%
# Where this Function stops
# -------------------------
# Two tools that work with plain tensor code need more from this Function.
# The :mod:`torch.func` transforms, such as ``vmap``, ask for another style
# (:doc:`plot_05_modern_style`) and a rule for batches
# (:doc:`plot_06_function_transforms`). :func:`torch.compile` cannot look
# inside NumPy's Legendre module; a custom operator wraps the same NumPy call
# for it (:doc:`plot_07_compiling`).
#
# So the decision reads:
#
# * the computation is made of torch operations: write no Function;
# * autograd cannot see it, or you have a better derivative: write a
#   Function, as on this page;
# * it must also work under ``vmap`` and the other :mod:`torch.func`
#   transforms: a Function with ``setup_context`` and a ``vmap`` rule
#   (:doc:`plot_05_modern_style`);
# * it must also compile into one graph: :func:`torch.library.custom_op`.
#
# What we learned
# ---------------
# * A computation made of torch operations needs no custom Function: autograd
#   records and differentiates it, to the same gradient.
# * Write one when autograd cannot see the computation (NumPy, another
#   library, your own kernel) or when you have a cheaper or more stable
#   derivative than the chain rule through every step.
# * NumPy silently cuts the graph; a Function reconnects it. A backward that
#   calls the Function itself can be differentiated again.
# * NumPy works on the CPU: tensors from a GPU are copied there and back, in
#   each pass.
#
# .. seealso::
#
#    `When to use
#    <https://docs.pytorch.org/docs/stable/notes/extending.html#when-to-use>`_,
#    in PyTorch's guide to extending autograd, gives the same reasons;
#    NumPy's `Legendre series
#    <https://numpy.org/doc/stable/reference/routines.polynomials.legendre.html>`_
#    module documents ``legval`` and ``legder``.

# sphinx_gallery_tags = ["custom Function", "NumPy"]
