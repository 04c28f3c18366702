r"""
Checking a backward pass
========================

**You will learn** to check a hand-written backward pass against finite
differences with ``gradcheck``.

A hand-written ``backward`` is code like any other, and a wrong derivative
does not crash: training just goes somewhere odd. PyTorch can check it for us.
:func:`torch.autograd.gradcheck` nudges each input by a tiny
:math:`\varepsilon` and measures the slope:

.. math:: \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2 \varepsilon}.

It compares that slope with the one our ``backward`` returns.
:func:`torch.autograd.gradgradcheck` does the same one level up, for the
derivative of the backward pass itself.
"""

# %%
# Precision
# ---------
# Finite differences need double precision: in single precision the rounding
# error of :math:`f(x \pm \varepsilon)` swamps the slope. Apple's MPS has no
# float64, so there we check on the CPU instead.
import torch

import legendre

device = legendre.default_device()
if device.type == "mps":
    device = torch.device("cpu")
print(f"Running on: {device}")

# %%
# A correct Function
# ------------------
# For a function of many inputs and outputs, the slopes form a matrix, the
# *Jacobian*: the slope of each output element in each input element.
# ``gradcheck`` builds it twice, from finite differences and from our
# ``backward``, and compares the two. It nudges one input element at a time,
# so a handful of points is enough. We include :math:`\pm 1`, where
# formulas that divide by :math:`x^2 - 1` fail. Both checks return ``True``
# on success.
from torch.autograd import gradcheck, gradgradcheck

points = [-1.0, -0.7, -0.1, 0.4, 0.9, 1.0]
x = torch.tensor(points, dtype=torch.float64, device=device, requires_grad=True)

P3 = legendre.LegendrePolynomial3.apply
print("gradcheck:", gradcheck(P3, (x,)))
print("gradgradcheck:", gradgradcheck(P3, (x,)))

# %%
# A deliberate mistake
# --------------------
# This subclass keeps the package's forward pass but replaces the backward
# with one that has a sign error: :math:`\tfrac32 (5x^2 + 1)` instead of
# :math:`\tfrac32 (5x^2 - 1)`. Every value it computes is still right.


class SignErrorP3(legendre.LegendrePolynomial3):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 + 1)  # wrong on purpose: should be - 1


# %%
# ``gradcheck`` raises a ``GradcheckError`` showing both Jacobians: diagonal,
# as each output element depends on one input element only, and 3 apart,
# the size of the bug. We catch
# the error so that this page still builds.
from torch.autograd.gradcheck import GradcheckError

try:
    gradcheck(SignErrorP3.apply, (x,))
except GradcheckError as error:
    print(f"gradcheck caught it:\n{error}")

# %%
# A subtler mistake shows one level up. This backward returns the right numbers
# but computes them from ``x.detach()``, which cuts the graph: differentiating
# it again silently gives zero. ``gradcheck`` passes; ``gradgradcheck``, which
# differentiates the map ``(x, grad_output)`` to the backward's result, finds
# its derivative in ``x`` (input 0) wrong. We print its report's first line.


class DetachedP3(legendre.LegendrePolynomial3):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        x = x.detach()  # wrong on purpose: the second derivative is lost
        return grad_output * 1.5 * (5 * x**2 - 1)


print("gradcheck:", gradcheck(DetachedP3.apply, (x,)))
try:
    gradgradcheck(DetachedP3.apply, (x,))
except GradcheckError as error:
    print(f"gradgradcheck caught it: {str(error).splitlines()[0]}")

# %%
# What gradcheck compares
# -----------------------
# :math:`P_3`, the derivative the package's backward pass returns, the central
# differences ``gradcheck`` measures (dots, sparse to stay visible) and the
# buggy derivative, off by 3 everywhere. 201 points draw a smooth curve.
import matplotlib.pyplot as plt


def backward_slope(function, points):
    points = points.detach().clone().requires_grad_()
    function(points).sum().backward()
    return points.grad


grid = torch.linspace(-1, 1, 201, dtype=torch.float64, device=device)
coarse = torch.linspace(-1, 1, 17, dtype=torch.float64, device=device)
eps = 1e-6  # gradcheck's default step
with torch.no_grad():
    values = P3(grid)
    measured = (P3(coarse + eps) - P3(coarse - eps)) / (2 * eps)
right = backward_slope(P3, grid)
wrong = backward_slope(SignErrorP3.apply, grid)

grid, coarse = grid.cpu(), coarse.cpu()  # matplotlib reads host memory
fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(grid, values.cpu(), color="0.6", linewidth=3, label="$P_3(x)$")
ax.plot(grid, right.cpu(), color="C0", label="$P_3'(x)$ from backward")
ax.plot(coarse, measured.cpu(), "o", color="C0", markersize=4, label="central difference")
ax.plot(grid, wrong.cpu(), "--", color="C3", label="buggy backward, off by 3")
ax.set(xlabel="x", title="P₃, its derivative,\nand a backward pass gradcheck rejects")
ax.legend()
plt.show()

# %%
# Exercise: find the planted mistake
# ----------------------------------
# ``PlantedP3`` computes :math:`P_3'` from the identity
# :math:`(x^2 - 1) P_3' = 3 (x P_3 - P_2)`, with
# :math:`P_2 = \tfrac12 (3x^2 - 1)`, and guards against dividing by zero.
# ``gradcheck`` passes on points inside the interval:


class PlantedP3(legendre.LegendrePolynomial3):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        p2, p3 = 0.5 * (3 * x**2 - 1), 0.5 * (5 * x**3 - 3 * x)
        slope = torch.where(x.abs() == 1, 0.0, 3 * (x * p3 - p2) / (x**2 - 1))
        return grad_output * slope


inside = torch.linspace(-0.9, 0.9, 7, dtype=torch.float64, device=device, requires_grad=True)
print("gradcheck inside:", gradcheck(PlantedP3.apply, (inside,)))

# %%
# Yet it is wrong. Find where with ``gradcheck``, then write ``FixedP3``,
# whose backward is right at every point and can be differentiated again.
# The check cell compares it with NumPy at points that include
# :math:`\pm 1`, and runs ``gradcheck`` and ``gradgradcheck``.
from legendre.exercises import check_legendre

language = "English"  # the verdicts' language


class FixedP3(PlantedP3):
    pass  # your answer: replace this line with a backward method


# %%
print(check_legendre(FixedP3, 3, second_derivative=True, language=language))

# %%
# .. raw:: html
#
#    <details class="legendre-solution"><summary>Solution</summary>
#
# The guard is the mistake: at :math:`x = \pm 1` it returns 0, where
# :math:`P_3'(\pm 1) = 6`. ``gradcheck`` on ``x`` above shows it. Returning
# 6 there is not enough: ``torch.where`` differentiates both branches, and
# the division it discards puts NaN into the second derivative at
# :math:`\pm 1`. The derivative needs no division at all:


class SolvedP3(PlantedP3):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


verdict = check_legendre(SolvedP3, 3, second_derivative=True, language=language)
print(verdict)
assert verdict.solved

# %%
# .. raw:: html
#
#    </details>
#
# What we learned
# ---------------
# * :func:`~torch.autograd.gradcheck` compares a backward pass with finite
#   differences, the whole Jacobian at once; run it in float64 on a few
#   points, including awkward ones: it checks only the points you give it.
# * :func:`~torch.autograd.gradgradcheck` checks that the backward pass can
#   itself be differentiated, which second-order methods need.
# * A wrong derivative does not crash anything: only a check like this, or a
#   test against an independent oracle, finds it.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` writes the Function checked here. The
#    PyTorch note `Gradcheck mechanics
#    <https://docs.pytorch.org/docs/stable/notes/gradcheck.html>`_ explains
#    the checks in depth.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "gradcheck", "testing"]
