r"""
The modern style: ``setup_context`` and ``torch.func``
======================================================

**You will learn** the style ``torch.func`` needs, arguments that are not
tensors, ``needs_input_grad``, and saving versus computing again.

The Function of the first page works with ``loss.backward()``, but not with
the transforms of ``torch.func`` (``grad``, ``vmap``, ``jacrev``). They need
a Function written in the newer style, where ``forward`` computes and a
separate ``setup_context`` decides what the backward pass keeps. This page
converts the cubic to that style, then grows it: a degree that is not a
tensor, a second tensor input whose gradient may not be wanted, and the
choice between saving intermediate results and computing them again.
"""

# %%
# Precision
# ---------
# Gradients below are compared with exact formulas, so the page works in
# double precision, except on Apple's MPS, which has no float64.
import textwrap

import torch
from torch.func import grad, vmap

import legendre

device = legendre.default_device()
dtype = torch.float32 if device.type == "mps" else torch.float64
print(f"Running on: {device} ({dtype})")


def attempt(action):
    """Run ``action`` and return its result, or print the first line of its error."""
    try:
        return action()
    except Exception as error:  # noqa: BLE001 (the error is what we want to show)
        message = f"raises {type(error).__name__}: {str(error).splitlines()[0]}"
        print(textwrap.fill(message, 79, break_long_words=False, break_on_hyphens=False))


def p3_slope(t):
    """:math:`P_3'(t)`, written out: the reference for every gradient below."""
    return 1.5 * (5 * t**2 - 1)


x = torch.linspace(-1, 1, 7, dtype=dtype, device=device)

# %%
# The first page's Function under ``torch.func``
# ----------------------------------------------
# :class:`legendre.LegendrePolynomial3` is the package's copy of the
# Function written on the first page: ``forward(ctx, x)`` saves its input
# and ``backward`` applies the chain rule. ``grad`` refuses it; this is what
# the installed torch says:
classic = attempt(lambda: grad(lambda t: legendre.LegendrePolynomial3.apply(t).sum())(x))
assert classic is None

# %%
# The conversion
# --------------
# Two changes, and the mathematics stays the same. ``forward`` loses its
# ``ctx`` argument: it only computes. ``setup_context(ctx, inputs, output)``
# runs after it and receives the inputs as a tuple and the output; it is the
# one place that writes to ``ctx``. ``backward`` does not change.


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
# ``loss.backward()`` works as before, and now ``grad`` does too. ``grad``
# differentiates a function of one input; the sum makes the output a
# scalar whose gradient holds :math:`P_3'` at every point.
slope = grad(lambda t: Cubic.apply(t).sum())(x)
print("grad:     ", slope)
print("formula:  ", p3_slope(x))
assert torch.allclose(slope, p3_slope(x))

# %%
# ``vmap`` and ``generate_vmap_rule``
# -----------------------------------
# ``vmap(f)`` runs ``f`` on every slice of a batch at once, as if ``f`` were
# written for one point. For a Function, it must be told how. The modern
# style alone is not enough:
attempt(lambda: vmap(grad(Cubic.apply))(x))

# %%
# One line suffices here. With ``generate_vmap_rule = True``, ``vmap`` runs
# ``forward``, ``setup_context`` and ``backward`` themselves on the batched
# tensors. That works when those methods are made of torch operations that
# ``vmap`` understands, which is the case here: powers, products, sums. It
# cannot work when they leave torch, for example to call NumPy or to read a
# value with ``.item()``; such a Function writes a ``vmap`` staticmethod
# by hand.


class BatchedCubic(Cubic):
    generate_vmap_rule = True


slope = vmap(grad(BatchedCubic.apply))(x)  # the derivative at each point, one by one
print("vmap(grad):", slope)
assert torch.allclose(slope, p3_slope(x))

# %%
# A degree that is not a tensor
# -----------------------------
# :class:`legendre.LegendrePolynomial` evaluates :math:`P_n` for any degree
# ``n``, by Bonnet's recurrence. Its ``forward`` takes two arguments, the
# points and the degree, and its ``backward`` returns one gradient per
# argument: the derivative for the points and ``None`` for the degree, a
# Python int that has no gradient. ``setup_context`` saves the tensor with
# ``save_for_backward`` and keeps the int as an attribute of ``ctx``, which
# is the place for values that are not tensors. Here is its code, read from
# the installed package, so this page shows what runs:
import inspect

print(inspect.getsource(legendre.LegendrePolynomial))

# %%
# The two recurrences it calls are small functions in the same module:
from legendre import functions

print(inspect.getsource(functions._bonnet))
print(inspect.getsource(functions._legendre_derivative))

# %%
# The degree travels with the call and is ignored by ``grad``, which
# differentiates with respect to the first argument only:
slope = grad(lambda t: legendre.LegendrePolynomial.apply(t, 3).sum())(x)
assert torch.allclose(slope, p3_slope(x))
print("P3' from LegendrePolynomial matches the formula")

# %%
# Saving or computing again
# -------------------------
# The backward pass of :math:`P_n` needs :math:`P_0, \ldots, P_{n-1}`, which
# the forward pass computed on its way to :math:`P_n`. Keeping them avoids
# computing them twice, but a ``forward`` without ``ctx`` cannot save them.
# The modern style's answer is to return them as a second output, which
# ``setup_context`` then saves and marks as not differentiable, so autograd
# never asks for their gradient. A small function hides that output from the
# caller. The table of :math:`P_0(t), \ldots, P_n(t)` comes from the same
# module, which builds it with one run of Bonnet's recurrence.
basis = functions.legendre_basis  # basis(t, n): P_0(t), ..., P_n(t) on a new last axis


class KeptLegendre(torch.autograd.Function):
    @staticmethod
    def forward(t, n):
        table = basis(t, n)
        # two separate tensors: saving a slice would keep the whole table alive
        return table[..., n].clone(), table[..., :n].contiguous()

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, lower = output
        ctx.mark_non_differentiable(lower)
        ctx.save_for_backward(lower)

    @staticmethod
    def backward(ctx, grad_output, _grad_lower):
        (lower,) = ctx.saved_tensors
        # P_{k+1}' = P_{k-1}' + (2k+1) P_k, from P_0' = 0 and P_1' = 1
        d_previous = torch.zeros_like(grad_output)
        d = torch.ones_like(grad_output)
        for k in range(1, lower.shape[-1]):
            d_previous, d = d, d_previous + (2 * k + 1) * lower[..., k]
        return grad_output * d, None


def kept_legendre(t, n):
    value, _ = KeptLegendre.apply(t, n)
    return value


# %%
# Both give the same gradient. What differs is the memory autograd holds
# between the two passes. ``torch.autograd.graph.saved_tensors_hooks`` sees
# every tensor a Function saves; here it adds up their bytes, for
# :math:`P_{10}` on a million points.
def saved_bytes(function, t, n):
    storages = {}  # by address: tensors that share memory count once

    def pack(tensor):
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        function(t.detach().requires_grad_(), n)
    return sum(storages.values())


degree = 10
points = torch.linspace(-1, 1, 1_000_000, dtype=dtype, device=device)
recomputed = saved_bytes(legendre.LegendrePolynomial.apply, points, degree)
kept = saved_bytes(kept_legendre, points, degree)
print(f"LegendrePolynomial saves {recomputed / 1e6:.0f} MB (the points)")
print(f"KeptLegendre saves {kept / 1e6:.0f} MB ({kept // recomputed} tensors like the points)")
assert recomputed == points.numel() * points.element_size()
assert kept == degree * recomputed

t = x.clone().requires_grad_()
kept_legendre(t, degree).sum().backward()
recomputed_slope = grad(lambda s: legendre.LegendrePolynomial.apply(s, degree).sum())(x)
print(f"largest gradient difference: {(t.grad - recomputed_slope).abs().max().item():.1e}")
assert torch.allclose(t.grad, recomputed_slope)

# %%
# Over degrees 1 to 10 the pattern holds: what ``KeptLegendre`` keeps grows
# with the degree, one array of the points' size per degree, while
# ``LegendrePolynomial`` keeps the points alone.
import matplotlib.pyplot as plt

degrees = range(1, degree + 1)
arrays = {
    name: [saved_bytes(function, points, n) / recomputed for n in degrees]
    for name, function in [
        ("KeptLegendre (saves P_0 ... P_n-1)", kept_legendre),
        ("LegendrePolynomial (computes again)", legendre.LegendrePolynomial.apply),
    ]
}
assert arrays["KeptLegendre (saves P_0 ... P_n-1)"] == list(degrees)
assert set(arrays["LegendrePolynomial (computes again)"]) == {1}

fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
for (name, counts), marker in zip(arrays.items(), "os", strict=True):
    ax.plot(degrees, counts, marker=marker, label=name)
ax.set(
    xlabel="degree n",
    ylabel="memory kept for backward\n(arrays of the points' size)",
    title="What the backward pass of P_n keeps, by degree",
    xticks=list(degrees),
)
ax.legend()
ax.grid(True, alpha=0.3)
plt.show()

# %%
# Ten times the memory at degree 10 buys a backward pass that skips one run
# of the recurrence, a few multiplications per point and degree. The
# package computes again: whatever the degree, it keeps only the points.
# Keeping is the better choice when an intermediate result is expensive to
# rebuild and small to keep.

# %%
# A second tensor input, and ``needs_input_grad``
# -----------------------------------------------
# A Legendre series :math:`\sum_k w_k P_k(t)` has two tensor inputs, the
# points and the weights. When we fit the weights, the points are data:
# nobody wants their gradient, and computing it would waste the work of the
# derivative recurrence. ``ctx.needs_input_grad`` holds one flag per input
# of ``forward``, so ``backward`` computes only the gradients that are asked
# for and returns ``None`` for the others.
calls = []  # what needs_input_grad said in each backward pass


class Series(torch.autograd.Function):
    @staticmethod
    def forward(t, weights):
        return basis(t, len(weights) - 1) @ weights

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        t, weights = ctx.saved_tensors
        calls.append(ctx.needs_input_grad)
        grad_t = grad_weights = None
        degree = len(weights) - 1
        if ctx.needs_input_grad[0]:
            # the derivative is a series of one degree less: P_k' adds 2j+1 to
            # the weight of each P_j with j < k and k - j odd
            slope_weights = [(2 * j + 1) * weights[j + 1 :: 2].sum() for j in range(degree)]
            grad_t = grad_output * (basis(t, degree - 1) @ torch.stack(slope_weights))
        if ctx.needs_input_grad[1]:
            # every point adds P_k(t) to the gradient of w_k
            grad_weights = basis(t, degree).mT @ grad_output
        return grad_t, grad_weights


# %%
# The weights of :math:`P_3` alone make the series the cubic, so both
# gradients have a reference. First only the weights ask for a gradient,
# then only the points do:
weights = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=dtype, device=device, requires_grad=True)
Series.apply(x, weights).sum().backward()
reference_weights = basis(x, 3).sum(dim=0)  # sum over points of P_k(t)
assert torch.allclose(weights.grad, reference_weights)

t = x.clone().requires_grad_()
Series.apply(t, weights.detach()).sum().backward()
assert torch.allclose(t.grad, p3_slope(x))

for flags in calls:
    print(f"needs_input_grad = {flags}")
assert calls == [(False, True), (True, False)]

# %%
# ``torch.autograd.gradcheck`` confirms both gradients against finite
# differences, at random points and weights:
generator = torch.Generator().manual_seed(0)
t = (2 * torch.rand(9, generator=generator, dtype=torch.float64) - 1).requires_grad_()
w = torch.randn(5, generator=generator, dtype=torch.float64).requires_grad_()
print("gradcheck:", torch.autograd.gradcheck(Series.apply, (t, w)))

# %%
# What we learned
# ---------------
# * ``torch.func`` needs the modern style: ``forward`` without ``ctx``, and
#   ``setup_context(ctx, inputs, output)`` to save what ``backward`` needs.
# * ``generate_vmap_rule = True`` is enough when the methods use only torch
#   operations; otherwise a Function writes its own ``vmap``.
# * Arguments that are not tensors get ``None`` as their gradient and live
#   on ``ctx`` as plain attributes.
# * Intermediate results are kept by returning them as extra outputs marked
#   non-differentiable; computing them again trades time for memory.
# * ``ctx.needs_input_grad`` lets ``backward`` skip the gradients nobody
#   asked for.
#
# .. seealso::
#
#    :doc:`plot_06_function_transforms` uses
#    :class:`legendre.LegendrePolynomial` with ``grad``, ``vmap`` and
#    ``jacrev``; the PyTorch note
#    `Extending torch.func with autograd.Function
#    <https://pytorch.org/docs/stable/notes/extending.func.html>`_
#    lists the rules.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "torch.func", "setup_context"]
