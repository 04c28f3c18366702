r"""
Legendre series of any degree
=============================

*About the fit, not about writing Functions:* Legendre series of any degree,
fitted with the package's Function and checked against least squares.

**You will learn** to fit Legendre series of any degree, and to check the fit
against least squares.

The tutorial uses one polynomial, :math:`P_3`. Here we use them all: the
Function :class:`legendre.LegendrePolynomial` (its code is on
:doc:`../core/plot_05_modern_style`) evaluates :math:`P_n` for any degree
:math:`n`, and :func:`legendre.fit` with ``degree=n`` fits a whole
series:

.. math::

   y &\approx \sum_{k=0}^{n} w_k\, P_k(u), \\
   u &= \frac{2x - (x_\min + x_\max)}{x_\max - x_\min} \in [-1, 1].

The series is linear in its weights, so the best weights solve a linear
least-squares problem. NumPy solves exactly that problem in
:meth:`numpy.polynomial.Legendre.fit`, which makes it our ground truth.
"""

# %%
# Device and precision
# --------------------
# We compare against NumPy down to rounding, so we work in double precision,
# except on Apple's MPS, which has no float64.
import torch

import legendre

device = legendre.default_device()
dtype = torch.float32 if device.type == "mps" else torch.float64
print(f"Running on: {device} ({dtype})")

# %%
# The first six polynomials
# -------------------------
# ``LegendrePolynomial.apply(u, n)`` takes the points and the degree. Each
# :math:`P_n` has :math:`n` roots in :math:`[-1, 1]`, is even or odd like
# :math:`n`, and ends at :math:`P_n(1) = 1`: a family of ever faster
# wiggles, which is what lets a series follow detailed shapes.
import matplotlib.pyplot as plt

u = torch.linspace(-1, 1, 401, dtype=dtype, device=device)
fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
for n in range(6):
    ax.plot(u.cpu(), legendre.LegendrePolynomial.apply(u, n).cpu(), label=f"$P_{n}$")
ax.set(xlabel="u", ylabel="$P_n(u)$", title="Legendre polynomials P0 to P5 on [-1, 1]")
ax.legend(ncols=3)
plt.show()

# %%
# Three targets
# -------------
# A smooth function, :math:`\sin(x)` on the tutorial's :math:`[-\pi, \pi]`;
# one with a kink, :math:`|x|`; and one with a jump, a unit step. 1001
# evenly spaced points (an odd count puts one exactly at 0) and no noise:
# every difference below comes from the series, not from the data.
import math

x = torch.linspace(-math.pi, math.pi, 1001, dtype=dtype, device=device)
targets = {"sin(x)": torch.sin(x), "|x|": x.abs(), "unit step": (x > 0).to(dtype)}

# %%
# Fitting, and checking against NumPy
# -----------------------------------
# :func:`legendre.fit` gives LBFGS a line search (``line_search_fn="strong_wolfe"``),
# with which it solves a least-squares problem of this size within its first
# two steps (up to 20 inner iterations each), so 10 steps leave a wide
# margin. For each target and degree we fit, measure the root mean square
# error, and compare the weights with those NumPy computes by a direct solve
# on the same points.
import numpy as np

degrees = range(21)
rmse = {name: [] for name in targets}
numpy_rmse = {name: [] for name in targets}
worst_gap = 0.0
fits = {}
for name, y in targets.items():
    x_np, y_np = x.cpu().numpy(), y.cpu().numpy()
    for n in degrees:
        result = legendre.fit(x, y, degree=n, optimizer="lbfgs", steps=10, log_every=None)
        oracle = np.polynomial.Legendre.fit(x_np, y_np, deg=n)
        worst_gap = max(worst_gap, np.abs(np.array(result.coefficients) - oracle.coef).max())
        rmse[name].append((result.predict(x) - y).pow(2).mean().sqrt().item())
        numpy_rmse[name].append(np.sqrt(np.mean((oracle(x_np) - y_np) ** 2)))
        fits[name, n] = result
print(f"largest difference from NumPy's weights, over all fits: {worst_gap:.1e}")

# %%
# What the series look like
# -------------------------
# Degree 5 already hugs the sine; the kink of :math:`|x|` is rounded off;
# the step is overshot on both sides of the jump (the Gibbs phenomenon), and
# a higher degree narrows the overshoot without shrinking it.
for name, y in targets.items():
    # one figure per target: side by side on a wide screen, stacked on a phone
    fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
    ax.plot(x.cpu(), y.cpu(), color="0.7", linewidth=3, label="target")
    for n, style in ((5, "--"), (15, "-")):
        ax.plot(x.cpu(), fits[name, n].predict(x).cpu(), style, label=f"degree {n}")
    ax.set(xlabel="x", ylabel="y", title=f"Legendre series fits of {name}")
    ax.legend()
plt.show()

# %%
# Error against degree
# --------------------
# Lines are :func:`legendre.fit`, crosses NumPy's direct solve. In the first
# figure only the error axis is logarithmic. The smooth sine falls in a
# staircase: :math:`\sin` is odd, so the term an even degree adds gets a
# zero weight and leaves the error where it was. Each odd degree then divides the
# error by a factor that keeps growing (printed below), so the sine converges
# even faster than geometrically, and far faster than any power of
# :math:`1/n`. The kink of :math:`|x|` and the jump of the step slow the
# error to a power of :math:`n`, which is a straight line when both axes are
# logarithmic, as in the second; its slope is the power. The two solvers agree
# until the sine's error drops below about :math:`10^{-9}`: there LBFGS stops
# at its tolerances (:func:`legendre.fit` sets ``tolerance_grad=1e-12`` and
# ``tolerance_change=1e-15``, far below torch's defaults of ``1e-7`` and
# ``1e-9``), while the direct solve goes on down to rounding error.
fig, left = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
# two figures, not two panels: side by side on a wide screen, stacked on a phone
fig, right = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
for name in targets:
    (line,) = left.semilogy(degrees, rmse[name], label=f"{name}, legendre.fit")
    left.semilogy(degrees, numpy_rmse[name], "x", color=line.get_color(), label=f"{name}, NumPy")
    if name != "sin(x)":
        n = np.arange(1, len(degrees))
        slope, _ = np.polyfit(np.log(n), np.log(rmse[name][1:]), 1)
        print(f"{name}: error falls like n^{slope:.2f}")
        right.loglog(n, rmse[name][1:], color=line.get_color(), label=f"{name}: n^{slope:.2f}")
        assert -2 < slope < 0, name  # a power law, not geometric convergence
left.set(
    xlabel="degree n of the series",
    ylabel="root mean square error (log scale)",
    title="Fit error against degree\n(log error)",
)
right.set(xlabel="degree n (log scale)", title="|x| and step: power laws\n(log-log)")
for ax in (left, right):
    ax.grid(True, which="both", alpha=0.3)
left.legend()
right.legend()
sine = numpy_rmse["sin(x)"]
odd = [n for n in degrees if n % 2 and sine[n] > 1e-13]  # above rounding error
assert all(abs(sine[n + 1] - sine[n]) <= 1e-6 * sine[n] + 1e-15 for n in odd), "no staircase"
factors = [sine[n] / sine[n + 2] for n in odd[:-1]]
print("sin(x): each odd degree divides the error by", ", ".join(f"{f:.0f}" for f in factors))
assert factors == sorted(factors), factors  # they keep growing
parted = next(n for n in degrees if abs(rmse["sin(x)"][n] - numpy_rmse["sin(x)"][n]) > 1e-10)
print(f"sin(x): the solvers part at degree {parted}, at an error of {rmse['sin(x)'][parted]:.0e}")
plt.show()

# %%
# What we learned
# ---------------
# * ``LegendrePolynomial.apply(u, n)`` gives any :math:`P_n`; a series of
#   them fits far more than a cubic can.
# * Because the series is linear in its weights, its loss has a single
#   minimum, so gradient-based training can land on the least-squares
#   solution, given enough steps of a good optimizer; NumPy's direct solve
#   checks that it does.
# * Smoothness sets the pace: smooth targets converge fast, kinks and jumps
#   slowly, with overshoot at jumps.
#
# .. seealso::
#
#    :doc:`../core/plot_01_custom_function` writes a Function for :math:`P_3` by
#    hand; :doc:`../core/plot_02_checking_backward` checks the backward pass of
#    :class:`legendre.LegendrePolynomial`; :doc:`plot_10_optimizers` compares
#    LBFGS with Adam and gradient descent.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["Legendre series", "least squares", "training"]
