r"""
Function transforms
===================

**You will learn** to use a custom Function with ``grad``, ``vmap`` and
``jacrev``, second derivatives included.

``torch.func`` turns functions into other functions: ``grad(f)`` computes
the gradient of a scalar function, ``vmap(f)`` maps ``f`` over a batch
dimension, and ``jacrev(f)`` builds a whole Jacobian. They compose, so
``vmap(grad(f))`` gives the derivative at every point of a grid in one call.

A custom :class:`torch.autograd.Function` takes part if it is written in the
style these transforms expect: ``forward`` without ``ctx``, a separate
``setup_context``, and ``generate_vmap_rule = True`` (or a hand-written
``vmap``), as :doc:`plot_03_modern_style` explains.
:class:`legendre.LegendrePolynomial`, whose code that page shows, is written
that way, and its backward pass is itself differentiable, so second
derivatives work too.
"""

# %%
# Precision
# ---------
# Double precision lets us compare with NumPy to many digits; Apple's MPS has
# no float64, so there we settle for float32.
import torch
from torch.func import grad, jacrev, vmap

import legendre

device = legendre.default_device()
dtype = torch.float32 if device.type == "mps" else torch.float64
print(f"Running on: {device} ({dtype})")

n = 5  # the degree used throughout


def p_n(t):
    return legendre.LegendrePolynomial.apply(t, n)


# %%
# Per-point derivatives: ``vmap(grad(...))``
# ------------------------------------------
# ``grad`` wants a function with a scalar output, so we differentiate
# :math:`P_5` at one point and let ``vmap`` run it on all 201 points at
# once. The independent check is NumPy's Legendre module, which
# differentiates the series symbolically with ``legder``.
import numpy as np
from numpy.polynomial import legendre as npleg

x = torch.linspace(-1, 1, 201, dtype=dtype, device=device)
slope = vmap(grad(p_n))(x)

unit = np.eye(n + 1)[n]  # P_5 as Legendre-series coefficients
x_np = x.cpu().double().numpy()
exact = npleg.legval(x_np, npleg.legder(unit))
print(f"largest difference from numpy: {np.abs(slope.cpu().numpy() - exact).max():.1e}")

# %%
# The derivative has a root wherever :math:`P_5` turns, and since
# :math:`P_5` is odd its slope is the same at both ends:
# :math:`P_5'(\pm 1) = n(n+1)/2 = 15`.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(x_np, p_n(x).cpu(), color="0.6", linewidth=3, label="$P_5(x)$")
ax.plot(x_np, slope.cpu(), color="C0", label="vmap(grad(P_5))")
ax.plot(x_np[::10], exact[::10], "o", color="C1", markersize=4, label="numpy legder")
ax.set(xlabel="x", title="P₅ and its derivative from vmap(grad(...)),\nmatching NumPy")
ax.legend()
plt.show()

# %%
# Whole Jacobians: ``jacrev``
# ---------------------------
# ``jacrev`` builds the Jacobian of a vector function row by row, one backward
# pass per output, batched by ``vmap`` behind the scenes. Since
# :math:`P_5` acts elementwise, its Jacobian is diagonal and its diagonal is
# the derivative we already have. Nine points keep the matrix readable.
few = torch.linspace(-1, 1, 9, dtype=dtype, device=device)
jacobian = jacrev(p_n)(few)
off_diagonal = jacobian - torch.diag(torch.diagonal(jacobian))
print(
    "diagonal matches vmap(grad):", torch.allclose(torch.diagonal(jacobian), vmap(grad(p_n))(few))
)
print("largest off-diagonal entry:", off_diagonal.abs().max().item())

fig, ax = plt.subplots(figsize=(4.5, 3.8), layout="constrained")
image = ax.imshow(jacobian.cpu(), cmap="RdBu_r", vmin=-15, vmax=15)
fig.colorbar(image, ax=ax, label="∂P₅(xᵢ)/∂xⱼ")
ax.set(xlabel="j", ylabel="i", title="jacrev(P₅) on 9 points: a diagonal Jacobian")
plt.show()

# %%
# A Hessian-vector product through double backward
# ------------------------------------------------
# For :math:`f(x) = \sum_i w_i P_5(x_i)` and a direction :math:`v`, the
# product :math:`H v` is the gradient of :math:`\langle \nabla f(x), v
# \rangle`: reverse mode twice, so autograd differentiates our backward pass.
# The Hessian is diagonal here, hence :math:`(Hv)_i = w_i P_5''(x_i) v_i`.
generator = torch.Generator().manual_seed(0)  # fixed seed: the same numbers on every build
w, v = torch.randn(2, 9, generator=generator, dtype=dtype).to(device)


def f(t):
    return (w * p_n(t)).sum()


hvp = grad(lambda t: torch.dot(grad(f)(t), v))(few)
second = npleg.legval(few.cpu().double().numpy(), npleg.legder(unit, 2))
expected = w.cpu().numpy() * second * v.cpu().numpy()
print(f"Hv largest difference from numpy: {np.abs(hvp.cpu().numpy() - expected).max():.1e}")

# %%
# Forward-mode transforms (``jvp``, ``jacfwd`` and ``hessian``, which uses
# ``jacfwd``) would need a ``jvp`` method on the Function, which
# :class:`~legendre.LegendrePolynomial` does not define: reverse over
# reverse, as above, is the way to second derivatives here.
#
# What we learned
# ---------------
# * A Function with ``setup_context`` and ``generate_vmap_rule = True`` works
#   under :func:`~torch.func.grad`, :func:`~torch.func.vmap` and
#   :func:`~torch.func.jacrev`.
# * ``vmap(grad(f))`` gives per-point derivatives; ``jacrev`` the full matrix.
# * A backward pass built from differentiable operations gives second
#   derivatives, such as Hessian-vector products, for free.
#
# .. seealso::
#
#    :doc:`plot_02_checking_backward` checks the same backward pass with
#    ``gradgradcheck``. The PyTorch guide `Extending torch.func with
#    autograd.Function
#    <https://docs.pytorch.org/docs/stable/notes/extending.func.html>`_
#    lists the rules in full.

# sphinx_gallery_thumbnail_number = 2
# sphinx_gallery_tags = ["torch.func", "double backward"]
