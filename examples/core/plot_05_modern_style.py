r"""
The modern style: ``setup_context``
===================================

**You will learn** the style that ``torch.func`` needs, arguments that are
not tensors, how to keep intermediate results so that second derivatives
stay right, and ``needs_input_grad``.

The first page's Function works with ``loss.backward()``, but not with the
transforms of ``torch.func``, such as ``grad``. They need the newer style,
where ``forward`` only computes and a separate ``setup_context`` decides what
the backward pass keeps. This page converts the cubic, then grows it: a
degree that is not a tensor, kept intermediate results, and a second tensor
input whose gradient may not be wanted.
"""

# %%
# Precision
# ---------
# Gradients below are compared with exact formulas and with ``gradcheck``,
# so the page works in double precision, except on Apple's MPS, which has no
# float64.
import torch
from torch.autograd import gradgradcheck
from torch.autograd.gradcheck import GradcheckError
from torch.func import grad

import legendre

device = legendre.default_device()
dtype = torch.float32 if device.type == "mps" else torch.float64
print(f"Running on: {device} ({dtype})")


def p3_slope(t):
    """:math:`P_3'(t)`, written out: the reference for the gradients below."""
    return 1.5 * (5 * t**2 - 1)


x = torch.linspace(-1, 1, 7, dtype=dtype, device=device)

# %%
# The first page's Function under ``torch.func``
# ----------------------------------------------
# :class:`legendre.LegendrePolynomial3` is the package's copy of the first
# page's Function. :func:`torch.func.grad`, which turns a function into the
# function that computes its gradient, refuses it and says why (functorch is
# the former name of ``torch.func``):
try:
    grad(lambda t: legendre.LegendrePolynomial3.apply(t).sum())(x)
except RuntimeError as error:
    print(f"grad raises: {str(error).splitlines()[0]}")

# %%
# The conversion
# --------------
# Two changes; the mathematics stays. ``forward`` loses its ``ctx`` argument:
# it only computes. ``setup_context(ctx, inputs, output)`` runs after it,
# receives the inputs as a tuple and the output, and is the one place that
# writes to ``ctx``. ``backward`` does not change.


class Cubic(torch.autograd.Function):
    @staticmethod
    def forward(t):
        return 0.5 * (5 * t**3 - 3 * t)

    @staticmethod
    def setup_context(ctx, inputs, output):
        (t,) = inputs
        ctx.save_for_backward(t)

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        return grad_output * p3_slope(t)


# %%
# ``loss.backward()`` works as before, and now ``grad`` does too (summed to a
# scalar, whose gradient holds :math:`P_3'` at every point).
# :doc:`plot_06_function_transforms` teaches the transforms themselves.
slope = grad(lambda t: Cubic.apply(t).sum())(x)
print("grad:   ", slope)
print("formula:", p3_slope(x))
assert torch.allclose(slope, p3_slope(x))

# %%
# A degree that is not a tensor
# -----------------------------
# The Legendre polynomials of every degree follow from :math:`P_0 = 1` and
# :math:`P_1 = x` by *Bonnet's recurrence*,
# :math:`(k+1) P_{k+1} = (2k+1)\, x P_k - k P_{k-1}`, and their derivatives
# from :math:`P_0' = 0`, :math:`P_1' = 1` and
# :math:`P_{k+1}' = P_{k-1}' + (2k+1) P_k`. Two small functions run them:


def legendre_table(t, n):
    """:math:`P_0(t), \\ldots, P_n(t)`, stacked on a new last axis."""
    table = [torch.ones_like(t), t]
    for k in range(1, n):
        table.append(((2 * k + 1) * t * table[k] - k * table[k - 1]) / (k + 1))
    return torch.stack(table[: n + 1], dim=-1)


def legendre_slopes(lower):
    """:math:`P_0', \\ldots, P_n'` from the table ``lower`` of :math:`P_0, \\ldots, P_{n-1}`."""
    slopes = [torch.zeros_like(lower[..., 0]), torch.ones_like(lower[..., 0])]
    for k in range(1, lower.shape[-1]):
        slopes.append(slopes[k - 1] + (2 * k + 1) * lower[..., k])
    return slopes[: lower.shape[-1] + 1]


# %%
# A Function for :math:`P_n` takes the points and the degree, and its
# ``backward`` returns one gradient per argument: the derivative for the
# points, ``None`` for the degree, a Python int. ``setup_context`` saves the
# tensor and keeps the int on ``ctx``. :class:`legendre.LegendrePolynomial`
# is this Function with argument checks.


class Legendre(torch.autograd.Function):
    @staticmethod
    def forward(t, n):
        return legendre_table(t, n)[..., n]

    @staticmethod
    def setup_context(ctx, inputs, output):
        t, n = inputs
        ctx.save_for_backward(t)
        ctx.n = n

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        lower = legendre_table(t, ctx.n)[..., : ctx.n]  # computed again
        return grad_output * legendre_slopes(lower)[-1], None


slope = grad(lambda t: Legendre.apply(t, 3).sum())(x)
assert torch.allclose(slope, p3_slope(x))
assert torch.allclose(Legendre.apply(x, 7), legendre.LegendrePolynomial.apply(x, 7))
print("Legendre agrees with the formula for P3' and with the package for P7")

# %%
# Keeping intermediate results
# ----------------------------
# The backward pass needs :math:`P_0, \ldots, P_{n-1}`, which the forward
# pass computed on its way to :math:`P_n`; ``Legendre`` computes them again.
# To keep them, ``forward`` returns them as a second output, the table
# ``lower``, which ``setup_context`` saves and a caller ignores.
#
# ``backward`` now receives one gradient per output. ``grad_value`` is the
# gradient of the loss with respect to :math:`P_n`. ``grad_lower``, the
# gradient with respect to the table, is zeros in a first derivative, since
# the caller never sees the table, but not in a second: ``backward`` computes
# :math:`P_n'` from the saved table, so differentiating it again sends a
# gradient into that table, which autograd hands back to this same
# ``backward`` as ``grad_lower``.
# Each :math:`P_k` depends on :math:`t` with slope :math:`P_k'`, so the chain
# rule adds ``grad_lower`` times :math:`P_k'` to the gradient of :math:`t`.


class KeptLegendre(torch.autograd.Function):
    @staticmethod
    def forward(t, n):
        table = legendre_table(t, n)
        # two separate tensors: saving a slice would keep the whole table alive
        return table[..., n].clone(), table[..., :n].contiguous()

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, lower = output
        ctx.save_for_backward(lower)

    @staticmethod
    def backward(ctx, grad_value, grad_lower):
        (lower,) = ctx.saved_tensors
        *lower_slopes, slope = legendre_slopes(lower)
        through_table = (grad_lower * torch.stack(lower_slopes, dim=-1)).sum(dim=-1)
        return grad_value * slope + through_table, None


# %%
# A tempting shortcut marks the table with ``ctx.mark_non_differentiable``
# and ignores ``grad_lower``, which is then always zeros: a
# non-differentiable output never carries a gradient. The first derivative is
# still right, but the second misses how the table moves with :math:`t`.
# Adding ``@once_differentiable`` (see :doc:`plot_03_common_mistakes`)
# declares the Function first-order only.
from torch.autograd.function import once_differentiable

received = []  # what the marked Function's backward received as grad_lower


class MarkedLegendre(KeptLegendre):
    @staticmethod
    def setup_context(ctx, inputs, output):
        _, lower = output
        ctx.mark_non_differentiable(lower)
        ctx.save_for_backward(lower)

    @staticmethod
    def backward(ctx, grad_value, grad_lower):
        received.append(grad_lower)
        (lower,) = ctx.saved_tensors
        return grad_value * legendre_slopes(lower)[-1], None


class FirstOrderLegendre(MarkedLegendre):
    @staticmethod
    @once_differentiable
    def backward(ctx, grad_value, grad_lower):
        (lower,) = ctx.saved_tensors
        return grad_value * legendre_slopes(lower)[-1], None


# %%
# ``gradgradcheck`` tells them apart, and so does the second derivative of
# :math:`P_4(t) + t^3`, which is :math:`P_4''(t) + 6t` with
# :math:`P_4'' = \tfrac{15}{2} (7t^2 - 1)`:
def second_derivative(function, t):
    """The second derivative of :math:`P_4(t) + t^3`, with ``function`` for :math:`P_4`."""
    t = t.clone().requires_grad_()
    (first,) = torch.autograd.grad((function.apply(t, 4)[0] + t**3).sum(), t, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), t)
    return second


t64 = torch.linspace(-1, 1, 101, dtype=torch.float64)  # on the CPU: MPS has no float64
exact = 7.5 * (7 * t64**2 - 1) + 6 * t64
for function in (MarkedLegendre, FirstOrderLegendre, KeptLegendre):
    try:
        p4 = lambda t, function=function: function.apply(t, 4)[0]
        gradgradcheck(p4, (t64[::25].clone().requires_grad_(),))  # 5 points are enough
        verdict = "passes"
    except GradcheckError as error:
        # quoted as torch prints it, after the error's name: torch's words, not the page's
        verdict = f"fails ({type(error).__name__}: {str(error).splitlines()[0].rstrip(',')})"
    error = (second_derivative(function, t64) - exact).abs().max().item()
    print(f"{function.__name__}: gradgradcheck {verdict}; second derivative off by {error:.3g}")
    assert (error < 1e-12) == (function is KeptLegendre)
print(f"largest grad_lower the marked Function received: {received[0].abs().max().item()}")

# %%
# Without the table's part, the second derivative is :math:`6t` alone:
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.plot(t64, exact, color="0.6", linewidth=3, label="exact: P4''(t) + 6t")
ax.plot(t64, second_derivative(KeptLegendre, t64), "--", color="C0", label="KeptLegendre")
ax.plot(t64, second_derivative(MarkedLegendre, t64), color="C3", label="MarkedLegendre: 6t")
ax.set(xlabel="t", title="The second derivative of P4(t) + t^3,\nand what a marked table loses")
ax.legend()
plt.show()

# %%
# The marked Function's second derivative is silently wrong, and
# ``@once_differentiable`` did not stop it. Its error waits on a node of its
# own, which only ``.backward()`` runs, and only when ``grad_value`` requires
# a gradient: here ``torch.autograd.grad`` takes the second derivative, and
# it flows through the saved table. ``gradgradcheck`` catches both. The
# Function that keeps its table differentiable agrees with ``Legendre``:
t = x.clone().requires_grad_()
KeptLegendre.apply(t, 10)[0].sum().backward()
recomputed = grad(lambda s: Legendre.apply(s, 10).sum())(x)
print(f"largest gradient difference: {(t.grad - recomputed).abs().max().item():.1e}")
assert torch.allclose(t.grad, recomputed)

# %%
# Keeping costs memory: :doc:`../further/plot_13_saving_memory` measures
# how much.
#
# A second tensor input, and ``needs_input_grad``
# -----------------------------------------------
# A Legendre series :math:`\sum_k w_k P_k(t)` has two tensor inputs, the
# points and the weights. When fitting the weights, the points are data:
# nobody wants their gradient. ``ctx.needs_input_grad`` holds one flag per
# input of ``forward``, so ``backward`` computes only the gradients asked
# for, ``None`` for the others.
calls = []  # what needs_input_grad said in each backward pass


class Series(torch.autograd.Function):
    @staticmethod
    def forward(t, weights):
        return legendre_table(t, len(weights) - 1) @ weights

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        t, weights = ctx.saved_tensors
        calls.append(ctx.needs_input_grad)
        grad_t = grad_weights = None
        table = legendre_table(t, len(weights) - 1)
        if ctx.needs_input_grad[0]:
            slopes = torch.stack(legendre_slopes(table[..., :-1]), dim=-1)
            grad_t = grad_output * (slopes @ weights)
        if ctx.needs_input_grad[1]:
            grad_weights = table.mT @ grad_output  # each point adds P_k(t) to w_k's gradient
        return grad_t, grad_weights


# %%
# With the weights of :math:`P_3` alone the series is the cubic, so both
# gradients have a reference. First only the weights ask for a gradient,
# then only the points:
weights = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=dtype, device=device, requires_grad=True)
Series.apply(x, weights).sum().backward()
assert torch.allclose(weights.grad, legendre_table(x, 3).sum(dim=0))

t = x.clone().requires_grad_()
Series.apply(t, weights.detach()).sum().backward()
assert torch.allclose(t.grad, p3_slope(x))

for flags in calls:
    print(f"needs_input_grad = {flags}")
assert calls == [(False, True), (True, False)]

# %%
# Exercise: survive double backward
# ---------------------------------
# ``KeptSquare`` keeps :math:`t^2` from its forward pass, marked
# non-differentiable, so it is first-order only. Write ``MyCubic``: the same
# Function, whose second derivative is right, either keeping :math:`t^2` as
# ``KeptLegendre`` keeps its table or computing it again in ``backward``.
# The check cell compares it with NumPy and runs ``gradcheck`` and
# ``gradgradcheck``.
from legendre.exercises import check_legendre

language = "English"  # the verdicts' language


class KeptSquare(torch.autograd.Function):
    @staticmethod
    def forward(t):
        square = t * t
        return 0.5 * t * (5 * square - 3), square

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, square = output
        ctx.mark_non_differentiable(square)
        ctx.save_for_backward(square)

    @staticmethod
    def backward(ctx, grad_value, grad_square):
        (square,) = ctx.saved_tensors
        return grad_value * 1.5 * (5 * square - 1)


class MyCubic(KeptSquare):
    pass  # your answer: replace this line with your setup_context and backward


# %%
print(check_legendre(MyCubic, 3, second_derivative=True, language=language))

# %%
# .. raw:: html
#
#    <details class="legendre-solution"><summary>Solution</summary>
#
# The square stays differentiable, and ``backward`` adds the gradient that
# reaches it, times its slope :math:`2t`; so it saves :math:`t` as well.


class SolvedCubic(KeptSquare):
    @staticmethod
    def setup_context(ctx, inputs, output):
        (t,) = inputs
        _, square = output
        ctx.save_for_backward(t, square)

    @staticmethod
    def backward(ctx, grad_value, grad_square):
        t, square = ctx.saved_tensors
        return grad_value * 1.5 * (5 * square - 1) + grad_square * 2 * t


verdict = check_legendre(SolvedCubic, 3, second_derivative=True, language=language)
print(verdict)
assert verdict.solved

# %%
# .. raw:: html
#
#    </details>
#
# What we learned
# ---------------
# * ``torch.func`` needs the modern style: ``forward`` without ``ctx``, and
#   ``setup_context(ctx, inputs, output)`` to save what ``backward`` needs.
# * Non-tensor arguments get ``None`` as their gradient and live on ``ctx``.
# * To keep an intermediate result, return it as an output, save it, and
#   leave it differentiable: ``backward`` receives its gradient and adds it,
#   times its derivative, to the input's gradient. Marked non-differentiable,
#   it makes the Function first-order only, and ``gradgradcheck`` fails.
# * ``ctx.needs_input_grad`` lets ``backward`` skip the gradients nobody
#   asked for.
#
# .. seealso::
#
#    :doc:`plot_06_function_transforms` uses these Functions with ``grad``,
#    ``vmap`` and ``jacrev``; PyTorch's `Double Backward with Custom
#    Functions <https://docs.pytorch.org/tutorials/intermediate/custom_function_double_backward_tutorial.html>`_
#    and `Extending torch.func with autograd.Function
#    <https://pytorch.org/docs/stable/notes/extending.func.html>`_ give the
#    rules.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "torch.func", "setup_context"]
