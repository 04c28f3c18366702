r"""
When to write a custom Function, and when not to
================================================

**You will learn** when a custom Function is worth writing, and how to wrap
NumPy code in one that works with ``vmap`` and :func:`torch.compile`.

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
  autograd knows nothing about.

This page works through the first case: a Legendre series evaluated by
``numpy.polynomial.legendre``. It shows what goes wrong without a Function,
the Function that fixes it, what :func:`torch.func.vmap` then asks for, and
how :func:`torch.library.custom_op` lets :func:`torch.compile` keep the NumPy
call inside one graph.
"""

# %%
# On the CPU
# ----------
# NumPy computes on the CPU only, so this page keeps every tensor there. The
# Function below still accepts tensors on a GPU, by copying them to the CPU
# and back; the section on the NumPy-backed Function says what that costs.
#
# ``attempt`` runs a piece of code and prints the first line of the error
# torch raised, if any: every message below is the one the installed torch
# printed while this page was built. Most checks use nine points, enough to
# see every value.
import textwrap

import torch

# This page needs torch 2.7 or newer: older ones refuse its custom operator.
if torch.__version__ < "2.7":
    raise SystemExit(f"This example needs torch 2.7 or newer, not {torch.__version__}.")

import legendre

print("Running on: cpu")
print(f"torch {torch.__version__}")


def attempt(action):
    """Run ``action``; print the first line of its error, or that it ran. Return the error."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 (showing any error is the point)
        print(wrap(f"raises {type(error).__name__}: {str(error).splitlines()[0]}"))
        return error
    print("runs")
    return None


def wrap(text):
    """Lines of at most 79 characters, so that messages read on a phone too."""
    return textwrap.fill(text, 79, break_on_hyphens=False, break_long_words=False)


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
# Nor is the custom Function faster for being custom: it still records a node
# and autograd still replays it. :doc:`../further/plot_11_performance`
# measures this; the speed it finds comes from leaving autograd out of the
# step altogether. For :math:`P_3`, then, plain tensor code is the better
# choice.
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

P3 = [0.0, 0.0, 0.0, 1.0]  # P3 as a Legendre series
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
# gradients never arrive. Gradient descent would leave them where they
# started.
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
# right, unlike those of the NumPy backward in mistake 8 of
# :doc:`plot_05_common_mistakes`.
#
# The Function is in the modern style of :doc:`plot_03_modern_style`:
# ``forward`` without ``ctx``, and ``setup_context`` to save what
# ``backward`` needs. The
# coefficients are a tuple of Python floats: not a tensor, so ``backward``
# returns ``None`` for them.
#
# NumPy reads CPU memory only. ``numpy_legval`` therefore moves ``x`` to the
# CPU (``.cpu()``) and the result back to ``x``'s device and dtype (``.to``).
# For a tensor already on the CPU the first move costs nothing: NumPy reads
# the tensor's own memory, as checked below. For a tensor on a GPU, each call
# makes two copies across the bus, and the first one waits for the GPU to
# finish the work queued before it; the backward pass pays the same again.


def numpy_legval(x, coefficients):
    """:math:`\\sum_k c_k P_k(x)` computed by NumPy, returned on ``x``'s device and dtype."""
    on_cpu = x.detach().cpu()  # the same tensor when x is on the CPU; a copy from a GPU
    values = np.asarray(npleg.legval(on_cpu.numpy(), coefficients))  # 0-d x gives a NumPy scalar
    return torch.from_numpy(values).to(device=x.device, dtype=x.dtype)


class LegendreSeries(torch.autograd.Function):
    @staticmethod
    def forward(x, coefficients):
        return numpy_legval(x, coefficients)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, coefficients = inputs
        ctx.save_for_backward(x)  # the derivative is evaluated where the series was
        ctx.derivative = tuple(npleg.legder(coefficients).tolist())

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
series = LegendreSeries.apply(t, tuple(P3))
(gradient,) = torch.autograd.grad(series.sum(), t)
same = torch.allclose(series, legendre.LegendrePolynomial3.apply(x))
print("values match:", same, "| gradients match:", torch.allclose(gradient, p3_derivative(x)))
print("recorded:", recorded(series))
assert same
assert torch.allclose(gradient, p3_derivative(x))
assert recorded(series) == ["LegendreSeriesBackward"]

# %%
# :func:`torch.autograd.gradcheck` compares the backward pass with finite
# differences of the forward pass, and ``gradgradcheck`` does the same one
# derivative higher. Both need double precision to be meaningful, which is why
# ``x`` is ``float64`` on this page.
first = torch.autograd.gradcheck(LegendreSeries.apply, (t, tuple(P3)))
second = torch.autograd.gradgradcheck(LegendreSeries.apply, (t, tuple(P3)))
print(f"gradcheck: {first}, gradgradcheck: {second}")
assert first
assert second

# %%
# The Function handles any series, not only :math:`P_3`. Here NumPy's
# ``legfit`` finds the Legendre series of degree seven closest, in least
# squares, to :math:`\sin(\pi u)` on :math:`[-1, 1]`: the tutorial's sine on
# :math:`[-\pi, \pi]`, rescaled. The Function evaluates it, and its backward
# pass gives the derivative, which follows :math:`\pi \cos(\pi u)` closely
# too; the printed line gives the largest distance of each from its target.
import math

import matplotlib.pyplot as plt

u = torch.linspace(-1, 1, 201, dtype=torch.float64, requires_grad=True)  # small: a plot
target, target_slope = torch.sin(math.pi * u.detach()), math.pi * torch.cos(math.pi * u.detach())
sine_series = tuple(npleg.legfit(u.detach().numpy(), target.numpy(), 7).tolist())
fitted = LegendreSeries.apply(u, sine_series)
(slope,) = torch.autograd.grad(fitted.sum(), u)
print("coefficients:", ", ".join(f"{round(value, 4) + 0.0:.4f}" for value in sine_series))
distances = (fitted.detach() - target).abs().max(), (slope - target_slope).abs().max()
print(f"largest distance: series {distances[0]:.1e}, derivative {distances[1]:.1e}")
assert distances[0] < 1e-3
assert distances[1] < 0.05

fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.plot(u.detach(), target, color="0.75", linewidth=4, label="sin(πu) and π cos(πu)")
ax.plot(u.detach(), fitted.detach(), "--", color="C0", label="series, forward (NumPy)")
ax.plot(u.detach(), target_slope, color="0.75", linewidth=4)
ax.plot(u.detach(), slope, "--", color="C3", label="its derivative, backward")
ax.set(xlabel="u", title="A Legendre series evaluated by NumPy,\nand its gradient")
ax.legend()
plt.show()

# %%
# What ``vmap`` then needs
# ------------------------
# :func:`torch.func.vmap` runs a function on a whole batch by passing it
# *batched tensors*: wrappers that hide the batch dimension. A Function must
# say how to handle them, and ``LegendreSeries`` says nothing yet:
from torch.func import grad, vmap


def p3_at(point, function):
    return function.apply(point, tuple(P3))


assert attempt(lambda: vmap(grad(p3_at), in_dims=(0, None))(x, LegendreSeries)) is not None

# %%
# ``generate_vmap_rule = True`` asks torch to batch the Function by running
# its ``forward`` and ``backward`` on the batched tensors. That works when
# they are made of torch operations, as in
# :class:`legendre.LegendrePolynomial`. A batched tensor has no memory of its
# own to hand to NumPy, so here it fails:


class GeneratedRuleSeries(LegendreSeries):
    generate_vmap_rule = True


failure = attempt(lambda: vmap(grad(p3_at), in_dims=(0, None))(x, GeneratedRuleSeries))
assert failure is not None

# %%
# The alternative is a ``vmap`` staticmethod. It receives the inputs with the
# batch dimension as an ordinary dimension, and ``in_dims`` saying where it
# is (``None`` for inputs without one, here every coefficient). The series is
# evaluated elementwise, so running the Function on the whole batch at once
# is already right, and the output's batch dimension is where the input's
# was.
#
# ``backward`` has to change as well. Under ``vmap(grad(...))`` it too
# receives batched tensors, so it must call a Function that has the rule:
# this class, not the one it inherits from.


class BatchedLegendreSeries(LegendreSeries):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * BatchedLegendreSeries.apply(x, ctx.derivative), None

    @staticmethod
    def vmap(info, in_dims, x, coefficients):
        x_dim = in_dims[0]  # x is the only tensor input, so it carries the batch dimension
        return BatchedLegendreSeries.apply(x, coefficients), x_dim


# %%
# Now ``vmap(grad(...))`` gives the derivative at all nine points in one
# call, and it matches :math:`P_3'`:
slopes = vmap(grad(p3_at), in_dims=(0, None))(x, BatchedLegendreSeries)
print(slopes)
print("matches P3':", torch.allclose(slopes, p3_derivative(x)))
assert torch.allclose(slopes, p3_derivative(x))

# %%
# ``torch.compile``: one graph with ``torch.library.custom_op``
# -------------------------------------------------------------
# :func:`torch.compile` traces Python into a graph of torch operations. It
# does not trace into NumPy's ``legval``, so it splits the code around the
# call: a *graph break*, after which the call runs as ordinary Python.
# ``torch._dynamo.explain`` counts the graphs and breaks without compiling.
# The function traced is the sum of :math:`P_3(x_i)^2`, a stand-in for a loss.
import torch._dynamo

t = x.clone().requires_grad_()


def total(points):
    return BatchedLegendreSeries.apply(points, tuple(P3)).pow(2).sum()


report = torch._dynamo.explain(total)(t)
reasons = sorted({reason.reason.splitlines()[0] for reason in report.break_reasons})
print(f"graphs: {report.graph_count}, graph breaks: {report.graph_break_count}")
print("why:", reasons)
assert report.graph_break_count > 0

# %%
# With ``fullgraph=True``, a graph break is an error instead:
torch.compiler.reset()
assert attempt(lambda: torch.compile(total, fullgraph=True)(t)) is not None

# %%
# :func:`torch.library.custom_op` turns a Python function into a torch
# operator, ``torch.ops.legendre_examples.legval``, which the compiler treats
# as one opaque step of the graph. The type hints are required: they become
# the operator's schema. ``mutates_args=()`` promises that no input is
# changed in place. The body is ``numpy_legval`` again.
#
# The compiler traces with *fake* tensors, which have a shape, a dtype and a
# device but no values. ``register_fake`` tells it what the operator returns
# without running NumPy: a tensor like ``x``.


@torch.library.custom_op("legendre_examples::legval", mutates_args=())
def legval(x: torch.Tensor, coefficients: list[float]) -> torch.Tensor:
    return numpy_legval(x, coefficients)


@legval.register_fake
def _(x, coefficients):
    return torch.empty_like(x)


# %%
# ``register_autograd`` plays the part of the Function's ``setup_context``
# and ``backward``. As before, the backward pass calls the operator itself,
# with the derivative's coefficients.
def save_for_legval_backward(ctx, inputs, output):
    x, coefficients = inputs
    ctx.save_for_backward(x)
    ctx.derivative = npleg.legder(coefficients).tolist()


def legval_backward(ctx, grad_output):
    (x,) = ctx.saved_tensors
    return grad_output * legval(x, ctx.derivative), None


legval.register_autograd(legval_backward, setup_context=save_for_legval_backward)

# %%
# The same sum of squares, through the operator, is now a single graph with no
# break:


def total_op(points):
    return legval(points, P3).pow(2).sum()


report = torch._dynamo.explain(total_op)(t)
print(f"graphs: {report.graph_count}, graph breaks: {report.graph_break_count}")
assert (report.graph_count, report.graph_break_count) == (1, 0)

# %%
# Compiled with ``fullgraph=True`` (the first call compiles the forward and
# the backward graphs), it gives the eager value and gradient:
torch.compiler.reset()
compiled = torch.compile(total_op, fullgraph=True)
(compiled_gradient,) = torch.autograd.grad(value := compiled(t), t)
(eager_gradient,) = torch.autograd.grad(eager := total_op(t), t)
print(f"compiled {value.item():.6f}, eager {eager.item():.6f}")
print("gradients match:", torch.allclose(compiled_gradient, eager_gradient))
assert torch.allclose(value, eager)
assert torch.allclose(compiled_gradient, eager_gradient)
p3 = legendre.LegendrePolynomial3.apply(x)
assert torch.allclose(eager_gradient, 2 * p3 * p3_derivative(x))

# %%
# :func:`torch.library.opcheck` tests an operator's registrations: that the
# schema is honest (nothing changed in place, no output aliasing an input),
# that the fake and real results agree, that autograd finds the registered
# formula, and that the compiler's ahead-of-time tracing works with it.
checks = torch.library.opcheck(legval, (t, P3))
for test, outcome in checks.items():
    print(f"{test}: {outcome}")
assert set(checks.values()) == {"SUCCESS"}

# %%
# One limit, as of torch 2.13 (the version that built this page): the
# autograd formula a custom operator registers does not work under the
# :mod:`torch.func` transforms, not even under ``grad``. This is an open
# PyTorch issue (`#168393 <https://github.com/pytorch/pytorch/issues/168393>`_).
assert attempt(lambda: grad(lambda point: legval(point, P3))(x[0])) is not None

# %%
# So choose by what the code around it uses. For ``torch.func``, the
# ``autograd.Function`` with a ``vmap`` rule works; for ``torch.compile``, the
# custom operator keeps the graph whole.
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
# * ``generate_vmap_rule`` needs torch operations; around NumPy, write the
#   ``vmap`` staticmethod, and make ``backward`` call the batched class.
# * ``torch.compile`` breaks the graph at a NumPy call;
#   ``torch.library.custom_op`` with ``register_fake`` and
#   ``register_autograd`` keeps it whole, and ``opcheck`` tests it.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` writes the first Function;
#    :doc:`plot_06_function_transforms` uses :mod:`torch.func` with a Function
#    made of torch operations; :doc:`plot_07_compiling` compiles a training
#    step that uses one.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "NumPy", "torch.library"]
