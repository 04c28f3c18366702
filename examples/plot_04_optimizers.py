r"""
Choosing an optimizer
=====================

The tutorial trains :math:`y = a + b\,P_3(c + d x)` on :math:`\sin(x)` with
plain gradient descent and a tiny fixed step. That works, but slowly. Here
the same model, data and starting point are trained three ways, through the
``optimizer`` argument of :func:`legendre.fit`:

* ``"sgd"``: the tutorial's update :math:`p \leftarrow p - \eta\,\nabla_p L`;
* ``"adam"``: :class:`torch.optim.Adam`, which scales each parameter's step
  by running estimates of its gradient's size;
* ``"lbfgs"``: :class:`torch.optim.LBFGS`, a quasi-Newton method that builds
  a curvature estimate from recent gradients and searches along a line.

We compare where each one ends, how fast it gets there and what it costs.
"""

# %%
# Data on the best device
# -----------------------
# The tutorial's 2000 points on :math:`[-\pi, \pi]` in single precision.
# Nothing here is random: every optimizer starts from the tutorial's
# :math:`(a, b, c, d) = (0, -1, 0, 0.3)`, so the runs differ only by the
# optimizer.
import math

import torch

import legendre

device = legendre.default_device()
print(f"Running on: {device}")

x = torch.linspace(-math.pi, math.pi, 2000, device=device)
y = torch.sin(x)

# %%
# The best loss this model can reach
# ----------------------------------
# Expanding :math:`a + b\,P_3(c + d x)` gives a cubic in :math:`x`, and any
# cubic with a nonzero :math:`x^3` term can be written that way. So the
# lowest reachable sum of squared errors is that of the least-squares cubic,
# which NumPy computes directly, in double precision and without any
# training. That number is our finish line.
import numpy as np

x64 = np.linspace(-math.pi, math.pi, 2000)
_, (residuals, *_) = np.polynomial.Legendre.fit(x64, np.sin(x64), deg=3, full=True)
best = float(residuals[0])
print(f"least-squares optimum: {best:.6f}")

# %%
# Three runs
# ----------
# The step counts differ on purpose. Gradient descent gets the tutorial's
# 2000 steps; Adam 500, which is plenty with its default step size of
# ``1e-2``; LBFGS only 10, because each of its steps already runs up to 20
# inner iterations, each with a loss and a gradient. A step is therefore not
# a fair unit of work: wall-clock time is, and ``fit`` returns only once the
# coefficients are back on the host, so the timer covers the whole run.
# The first use of ``torch.optim`` pays a one-off import of a few seconds;
# a one-step warm-up of each optimizer keeps that out of the comparison.
import time

runs = {"sgd": 2000, "adam": 500, "lbfgs": 10}
results, seconds = {}, {}
for optimizer, steps in runs.items():
    legendre.fit(x, y, steps=1, optimizer=optimizer, log_every=None)  # warm-up, not timed
    start = time.perf_counter()
    results[optimizer] = legendre.fit(x, y, steps=steps, optimizer=optimizer, log_every=None)
    seconds[optimizer] = time.perf_counter() - start


def steps_to_reach(history, target):
    """How many steps it took to bring the loss down to ``target`` ("never" if none did)."""
    return next((str(step) for step, loss in enumerate(history) if loss <= target), "never")


print(f"{'optimizer':>9} {'final loss':>11} {'steps to 1%':>12} {'time (s)':>9}   coefficients")
for optimizer, result in results.items():
    reached = steps_to_reach(result.history, 1.01 * best)
    a, b, c, d = result.coefficients
    print(
        f"{optimizer:>9} {result.history[-1]:11.6f} {reached:>12} {seconds[optimizer]:9.3f}"
        f"   a={a:+.2e} b={b:+.4f} c={c:+.2e} d={d:+.4f}"
    )

# %%
# The learning curves
# -------------------
# Both axes are logarithmic so that 10 LBFGS steps and 2000 gradient steps
# fit on one figure. The dotted line is the least-squares optimum.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
for optimizer, result in results.items():
    steps = np.arange(1, len(result.history) + 1)
    ax.loglog(steps, result.history, marker="o" if optimizer == "lbfgs" else None, label=optimizer)
ax.axhline(best, color="0.3", linestyle=":", label=f"optimum {best:.3f}")
ax.set(
    xlabel="step, 1 being the starting point (log scale)",
    ylabel="sum of squared errors (log scale)",
    title="Loss of a + b·P3(c + dx) under gradient descent, Adam and LBFGS",
)
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %%
# Reading the result
# ------------------
# * Gradient descent is still above the optimum after 2000 steps. The loss
#   curves about 600 times more steeply along :math:`d` than along
#   :math:`b`, and one fixed step must be small enough for the steepest
#   direction, so progress along the flattest one crawls.
# * Adam rescales every parameter separately, which undoes most of that
#   imbalance: it reaches the optimum in a few hundred steps.
# * LBFGS estimates the curvature, so its first step already lands on the
#   optimum (the curve shows the loss *before* each step): four parameters
#   and no noise is where it shines.
#
# All three agree on :math:`a \approx c \approx 0` (:math:`\sin` is odd),
# :math:`b \approx -2.23` and :math:`d \approx 0.256`. Why not take larger
# gradient steps, then? Doubling the step already ends at a worse loss, and
# ten times it makes the loss explode; :func:`legendre.fit` then stops with an
# error naming the step rather than printing ``nan`` for the rest of the run.
try:
    too_far = legendre.fit(x, y, steps=2000, lr=5e-5, log_every=None)
except legendre.DivergenceError as error:
    print(f"lr=5e-5: {error}")
else:
    print(f"lr=5e-5 stayed finite this time, ending at {too_far.history[-1]:.3f}")

# %%
# What we learned
# ---------------
# * The optimizer is a separate choice from the model and the Function: the
#   same :class:`legendre.LegendrePolynomial3` backward pass serves all three.
# * Compare optimizers by wall-clock time or by loss evaluations, not by
#   steps: an LBFGS step is many evaluations.
# * A closed-form optimum, here the least-squares cubic, tells you whether a
#   training run has finished or merely slowed down.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` writes the gradient-descent loop by hand;
#    :doc:`plot_03_any_degree` fits longer Legendre series with LBFGS.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["optimizers", "training"]
