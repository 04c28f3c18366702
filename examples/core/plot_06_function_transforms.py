r"""
Function transforms
===================

**You will learn** to use a custom Function under the :mod:`torch.func`
transforms: ``grad``, ``vmap`` (with a rule torch generates, and with one you
write), ``jacrev``, second derivatives, and forward mode: ``jvp``, ``jacfwd``
and ``hessian``.

``torch.func`` turns functions into other functions: ``grad(f)`` computes
the gradient of a scalar function, ``vmap(f)`` maps ``f`` over a batch
dimension, and ``jacrev(f)`` builds the *Jacobian* of ``f``: the matrix
whose entry :math:`(i, j)` is the derivative of output :math:`i` with
respect to input :math:`j`. They compose, so ``vmap(grad(f))`` gives the
derivative at every point of a grid in one call.

A custom :class:`torch.autograd.Function` takes part if its ``forward`` has
no ``ctx`` and a ``setup_context`` saves what ``backward`` needs
(:doc:`plot_05_modern_style`); under ``vmap``, and ``jacrev``, which uses it,
it must also say how to handle a batch. Every result below is
checked against NumPy's Legendre module, which differentiates a series
exactly with ``legder``.
"""

# %%
# On the CPU, in double precision
# -------------------------------
# Part of this page calls NumPy, which computes on the CPU; double precision
# lets us compare with NumPy to many digits.
import numpy as np
import torch
from numpy.polynomial import legendre as npleg
from torch.func import grad, jacrev, vmap

import legendre

dtype = torch.float64
print(f"Running on: cpu ({dtype})")

n = 5  # the degree used throughout
P5 = tuple(np.eye(n + 1)[n].tolist())  # P_5 as a Legendre series, for NumPy


def numpy_derivative(x, order=1):
    """The exact ``order``-th derivative of :math:`P_5` at ``x``, from NumPy."""
    return torch.from_numpy(npleg.legval(x.numpy(), npleg.legder(P5, order)))


def attempt(action):
    """Run ``action``; print the first line of its error, or that it ran."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 (showing any error is the point)
        print(f"raises {type(error).__name__}: {str(error).splitlines()[0]}")
        return error
    print("runs")
    return None


# %%
# A rule torch generates: ``generate_vmap_rule``
# ----------------------------------------------
# ``vmap`` runs a function on a whole batch by passing it *batched tensors*:
# wrappers that hide the batch dimension. :class:`legendre.LegendrePolynomial`
# sets ``generate_vmap_rule = True``, which tells torch to batch it by running
# its ``forward`` and ``backward`` on the batched tensors. That works because
# both are made of torch operations.
#
# ``grad`` wants a function with a scalar output, so we differentiate
# :math:`P_5` at one point and let ``vmap`` run it on all 201 points at once.


def p_n(t):
    return legendre.LegendrePolynomial.apply(t, n)


x = torch.linspace(-1, 1, 201, dtype=dtype)
slope = vmap(grad(p_n))(x)
print(f"largest difference from numpy: {(slope - numpy_derivative(x)).abs().max():.1e}")

# %%
# The derivative has a root wherever :math:`P_5` turns, and since
# :math:`P_5` is odd its slope is the same at both ends:
# :math:`P_5'(\pm 1) = n(n+1)/2 = 15`.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(x, p_n(x), color="0.6", linewidth=3, label="$P_5(x)$")
ax.plot(x, slope, color="C0", label="vmap(grad(P_5))")
ax.plot(x[::10], numpy_derivative(x)[::10], "o", color="C1", markersize=4, label="numpy legder")
ax.set(xlabel="x", title="P₅ and its derivative from vmap(grad(...)),\nmatching NumPy")
ax.legend()
plt.show()

# %%
# A rule you write: the ``vmap`` staticmethod
# -------------------------------------------
# Here is the NumPy-backed Function (:doc:`plot_04_when_to_write_one`), now
# with ``setup_context``. It has no rule for batches yet, and ``vmap`` says
# so:


def numpy_legval(x, coefficients):
    r""":math:`\sum_k c_k P_k(x)` computed by NumPy, on the CPU."""
    return torch.from_numpy(np.asarray(npleg.legval(x.detach().numpy(), coefficients)))


class LegendreSeries(torch.autograd.Function):
    @staticmethod
    def forward(x, coefficients):
        return numpy_legval(x, coefficients)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, coefficients = inputs
        ctx.save_for_backward(x)
        ctx.derivative = tuple(npleg.legder(coefficients).tolist())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * LegendreSeries.apply(x, ctx.derivative), None


few = torch.linspace(-1, 1, 9, dtype=dtype)  # nine points keep the matrices below readable
assert attempt(lambda: vmap(LegendreSeries.apply, in_dims=(0, None))(few, P5)) is not None

# %%
# A generated rule does not help: a batched tensor has no memory of its own
# to hand to NumPy.


class GeneratedRuleSeries(LegendreSeries):
    generate_vmap_rule = True


failure = attempt(lambda: vmap(GeneratedRuleSeries.apply, in_dims=(0, None))(few, P5))
assert failure is not None

# %%
# The way out is a ``vmap`` staticmethod. It receives the inputs with the
# batch dimension as an ordinary dimension, and ``in_dims`` saying where it
# is (``None`` for an input without one, here the coefficients). It returns
# the output and where the output's batch dimension is. A Legendre series is
# evaluated elementwise, so running the Function on the whole batch at once
# is already right, and the output's batch dimension is where the input's
# was.
#
# ``backward`` changes too. Under ``vmap(grad(...))`` it receives batched
# tensors as well, so it must call a Function that has the rule: this class,
# not the one it inherits from.


class BatchedSeries(LegendreSeries):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * BatchedSeries.apply(x, ctx.derivative), None

    @staticmethod
    def vmap(info, in_dims, x, coefficients):
        # info.batch_size is there if needed; x is the only batched input
        return BatchedSeries.apply(x, coefficients), in_dims[0]


def series(t):
    return BatchedSeries.apply(t, P5)


slope = vmap(grad(series))(few)
difference = (slope - numpy_derivative(few)).abs().max()
print(f"vmap(grad) largest difference from numpy: {difference:.1e}")
assert torch.allclose(slope, numpy_derivative(few))

# %%
# Whole Jacobians: ``jacrev``
# ---------------------------
# ``jacrev`` builds the Jacobian row by row, one backward pass per output,
# batched by ``vmap`` behind the scenes: without the rule above it would fail
# like ``vmap`` did. Since the series acts elementwise, its Jacobian is
# diagonal, and the diagonal is the derivative.
jacobian = jacrev(series)(few)
diagonal = torch.diagonal(jacobian)
off_diagonal = jacobian - torch.diag(diagonal)
difference = (diagonal - numpy_derivative(few)).abs().max()
print(f"diagonal largest difference from numpy: {difference:.1e}")
print("largest off-diagonal entry:", off_diagonal.abs().max().item())
assert torch.allclose(diagonal, numpy_derivative(few))
assert off_diagonal.abs().max() == 0

fig, ax = plt.subplots(figsize=(4.5, 3.8), layout="constrained")
image = ax.imshow(jacobian, cmap="RdBu_r", vmin=-15, vmax=15)
fig.colorbar(image, ax=ax, label="∂P₅(xᵢ)/∂xⱼ")
ax.set(xlabel="j", ylabel="i", title="jacrev(P₅) on 9 points: a diagonal Jacobian")
plt.show()

# %%
# Second derivatives: reverse over reverse
# ----------------------------------------
# For :math:`f(x) = \sum_i w_i P_5(x_i)` and a direction :math:`v`, the
# Hessian-vector product :math:`H v` is the gradient of
# :math:`\langle \nabla f(x), v \rangle`: reverse mode twice, so autograd
# differentiates our backward pass, which works because that backward calls
# the Function again. The Hessian is diagonal here, hence
# :math:`(Hv)_i = w_i P_5''(x_i) v_i`.
generator = torch.Generator().manual_seed(0)  # fixed seed: the same numbers on every build
w, v = torch.randn(2, 9, generator=generator, dtype=dtype)


def f(t):
    return (w * series(t)).sum()


hvp = grad(lambda t: torch.dot(grad(f)(t), v))(few)
expected = w * numpy_derivative(few, order=2) * v
print(f"Hv largest difference from numpy: {(hvp - expected).abs().max():.1e}")
assert torch.allclose(hvp, expected)

# %%
# Forward mode: ``jvp``, ``jacfwd`` and ``hessian``
# -------------------------------------------------
# Reverse mode starts from the output and asks how it depends on every
# input. Forward mode goes the other way: it pushes a direction :math:`v`
# through the computation with the values, and comes out with the
# Jacobian-vector product :math:`J v` in the same pass. ``torch.func.jvp``
# does that; ``jacfwd`` builds a Jacobian column by column that way, and
# ``hessian`` is ``jacfwd`` of ``jacrev``. A Function takes part only if it
# has a ``jvp`` staticmethod, which :class:`legendre.LegendrePolynomial` does
# not define:
from torch.func import hessian, jacfwd, jvp

assert attempt(lambda: jvp(p_n, (few,), (torch.ones_like(few),))) is not None

# %%
# ``jvp(ctx, x_tangent, n_tangent)`` receives one tangent per input of
# ``forward`` (``None`` for the degree, which is no tensor) and returns the
# output's tangent. What it reads must be saved with
# ``ctx.save_for_forward``, the forward-mode twin of ``save_for_backward``.
#
# For an elementwise function the Jacobian is diagonal, so
# :math:`J v = P_n'(x)\,v`: the same product ``backward`` forms with
# ``grad_output``. The ``jvp`` below therefore calls the package's backward
# formula on the tangent. The subclass keeps everything else, the generated
# ``vmap`` rule included.


class ForwardLegendre(legendre.LegendrePolynomial):
    @staticmethod
    def setup_context(ctx, inputs, output):
        legendre.LegendrePolynomial.setup_context(ctx, inputs, output)  # x for backward, and n
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def jvp(ctx, x_tangent, n_tangent):
        (x_tangent_out, _) = legendre.LegendrePolynomial.backward(ctx, x_tangent)
        return x_tangent_out


def p_n_forward(t):
    return ForwardLegendre.apply(t, n)


_, tangent = jvp(p_n_forward, (few,), (torch.ones_like(few),))
by_columns = torch.diagonal(jacfwd(p_n_forward)(few))
second = torch.diagonal(hessian(lambda t: p_n_forward(t).sum())(few))
for name, value, order in (("jvp", tangent, 1), ("jacfwd", by_columns, 1), ("hessian", second, 2)):
    difference = (value - numpy_derivative(few, order)).abs().max()
    print(f"{name} largest difference from numpy: {difference:.1e}")
    assert torch.allclose(value, numpy_derivative(few, order))

# %%
# ``gradcheck`` checks the forward-mode formula against finite differences
# too, when asked:
t = few.clone().requires_grad_()
checked = torch.autograd.gradcheck(p_n_forward, (t,), check_forward_ad=True)
print("gradcheck with check_forward_ad:", checked)
assert checked

# %%
# Why does :class:`legendre.LegendrePolynomial` itself not define ``jvp``? A
# Function that has one does not compile into a single graph when an input
# requires a gradient, with the torch this page was checked on
# (:doc:`plot_07_compiling` shows it); reverse over reverse gives second
# derivatives without it.
#
# What we learned
# ---------------
# * A Function in the modern style works under :func:`~torch.func.grad`;
#   under :func:`~torch.func.vmap` and :func:`~torch.func.jacrev` once it
#   also says how to handle a batch.
# * ``generate_vmap_rule = True`` is enough when ``forward`` and ``backward``
#   are torch operations; around NumPy, write the ``vmap`` staticmethod, and
#   make ``backward`` call the class that has it.
# * A backward that calls differentiable operations gives second derivatives,
#   such as Hessian-vector products.
# * Forward mode (``jvp``, ``jacfwd``, ``hessian``) needs a ``jvp``
#   staticmethod and ``ctx.save_for_forward``.
#
# .. seealso::
#
#    :doc:`plot_02_checking_backward` checks a backward pass with
#    ``gradgradcheck``. The PyTorch guide `Extending torch.func with
#    autograd.Function
#    <https://docs.pytorch.org/docs/stable/notes/extending.func.html>`_
#    lists the rules in full, and `Forward-mode AD
#    <https://docs.pytorch.org/docs/stable/notes/extending.html#forward-mode-ad>`_
#    the ``jvp`` staticmethod.

# sphinx_gallery_thumbnail_number = 2
# sphinx_gallery_tags = ["torch.func", "double backward", "forward mode"]
