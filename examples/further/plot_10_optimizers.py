r"""
Choosing an optimizer
=====================

*About the fit, not about writing Functions:* the tutorial's fit trained by
the optimizers of ``torch.optim``.

**You will learn** to train with ``torch.optim`` (SGD, Adam, LBFGS) instead of
a loop written by hand.

The tutorial trains :math:`y = a + b\,P_3(c + d x)` on :math:`\sin(x)` with
plain gradient descent and a tiny fixed step. That works, but slowly. Here
the same model, data and starting point are trained three ways, each by an
optimizer from ``torch.optim`` driven by the same short loop:

* ``"sgd"``: :class:`torch.optim.SGD`, the tutorial's update
  :math:`p \leftarrow p - \eta\,\nabla_p L`;
* ``"adam"``: :class:`torch.optim.Adam`, which scales each parameter's step
  by running estimates of its gradient's size;
* ``"lbfgs"``: :class:`torch.optim.LBFGS`, a quasi-Newton method that builds
  a curvature estimate from recent gradients.

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
# Expanding :math:`a + b\,P_3(c + d x)` gives a cubic in :math:`x`, but not
# every cubic: its slope :math:`b\,d\,P_3'(c + d x)` vanishes where
# :math:`c + d x = \pm 1/\sqrt{5}`, so the form has exactly two turning
# points, and only cubics with two turning points can be written that way
# (:math:`x^3 + x`, which only rises, cannot). A cubic
# :math:`\alpha x^3 + \beta x^2 + \gamma x + \delta` has two turning points
# when :math:`\beta^2 > 3 \alpha \gamma`. NumPy computes the least-squares
# cubic directly, in double precision and without any training; it passes
# that test, so its sum of squared errors is the lowest this model can reach:
# our finish line.
import numpy as np

x64 = np.linspace(-math.pi, math.pi, 2000)
cubic, (residuals, *_) = np.polynomial.Polynomial.fit(x64, np.sin(x64), deg=3, full=True)
delta, gamma, beta, alpha = cubic.convert().coef
two_turning_points = beta**2 > 3 * alpha * gamma
best = float(residuals[0])
assert max(abs(beta), abs(delta)) < 1e-12  # sin is odd: so is its least-squares cubic
print(f"least-squares cubic: {alpha:.5f} x^3 + {gamma:.5f} x (x^2 and constant terms < 1e-12)")
print(f"two turning points: {two_turning_points}; least-squares optimum: {best:.6f}")
assert two_turning_points, "the least-squares cubic is out of this model's reach"

# %%
# The training loop
# -----------------
# Every optimizer in ``torch.optim`` is driven the same way: clear the
# gradients, compute the loss, backpropagate, and let ``step()`` update the
# parameters. LBFGS needs one thing more: it evaluates the loss several
# times within a step, so ``step()`` takes a *closure* that recomputes the
# loss and its gradients on demand. Passing the closure to every optimizer
# gives one loop for all three. The loss ``step()`` returns is the one
# computed *before* the update, so ``history[0]`` is the starting loss.
from legendre import LegendrePolynomial3


def train(make_optimizer, steps):
    """Train the tutorial's model from its starting point; return the losses and a, b, c, d."""
    params = [torch.tensor(value, device=device, requires_grad=True) for value in (0.0, -1.0, 0.0, 0.3)]  # fmt: skip
    a, b, c, d = params
    optimizer = make_optimizer(params)

    def closure():
        optimizer.zero_grad()
        loss = (a + b * LegendrePolynomial3.apply(c + d * x) - y).pow(2).sum()
        loss.backward()
        return loss

    history = [optimizer.step(closure).item() for _ in range(steps)]
    return history, [p.item() for p in params]


# %%
# Three optimizers
# ----------------
# Each gets its own settings, and they matter:
#
# * SGD takes the tutorial's step, ``5e-6``.
# * Adam takes ``1e-2``, ten times torch's default of ``1e-3``. Adam's step
#   size bounds how far a parameter moves per step, so in 500 steps of
#   ``1e-3`` no parameter moves more than about 0.5, too little to carry
#   :math:`b` from :math:`-1` to :math:`-2.2` (the last line printed below).
# * LBFGS takes ``line_search_fn="strong_wolfe"``: without it, LBFGS moves
#   by a fixed multiple of its search direction (``lr`` times it, with ``lr``
#   1 by default), however far that goes, and with it, it searches along
#   that line for a point that lowers the loss enough. Its tolerances
#   are set far below their defaults (``1e-7`` and ``1e-9``), so that it
#   stops at the optimum rather than near it.
#
# The step counts differ on purpose. SGD gets the tutorial's 2000 steps;
# Adam 500; LBFGS only 10, because each of its steps already runs up to 20
# inner iterations, each with a loss and a gradient. A step is therefore not
# a fair unit of work: wall-clock time is. The first use of ``torch.optim``
# pays a one-off import of a few seconds; a one-step warm-up of each
# optimizer keeps that out of the comparison.
import time

optimizers = {
    "sgd": (lambda params: torch.optim.SGD(params, lr=5e-6), 2000),
    "adam": (lambda params: torch.optim.Adam(params, lr=1e-2), 500),
    "lbfgs": (
        lambda params: torch.optim.LBFGS(
            params, line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15
        ),
        10,
    ),
}
results, seconds = {}, {}
for name, (make_optimizer, steps) in optimizers.items():
    train(make_optimizer, 1)  # warm-up, not timed
    start = time.perf_counter()
    results[name] = train(make_optimizer, steps)
    seconds[name] = time.perf_counter() - start


def steps_to_reach(history, target):
    """How many steps it took to bring the loss down to ``target`` ("not reached" if none did)."""
    return next((str(step) for step, loss in enumerate(history) if loss <= target), "not reached")


# narrow enough for a phone: each optimizer's coefficients on a line of their own
print(f"{'optimizer':>9} {'final loss':>10} {'steps to 1%':>11} {'time (s)':>8}")
for name, (history, (a, b, c, d)) in results.items():
    reached = steps_to_reach(history, 1.01 * best)
    print(f"{name:>9} {history[-1]:10.6f} {reached:>11} {seconds[name]:8.3f}")
    print(f"  a={a:+.1e} b={b:+.3f} c={c:+.1e} d={d:+.3f}")
adam_default, (_, b_default, _, _) = train(torch.optim.Adam, 500)
print(f"Adam at torch's default step 1e-3: loss {adam_default[-1]:.3f}, b={b_default:+.4f}")

# %%
# :func:`legendre.fit` packs this loop behind its ``optimizer`` argument,
# with the same settings; on the CPU its losses match the loop's exactly.
for name, (_, steps) in optimizers.items():
    packed = legendre.fit(x, y, steps=steps, optimizer=name, log_every=None).history
    gap = max(abs(p - h) / h for p, h in zip(packed, results[name][0], strict=True))
    print(f"{name:>9}: legendre.fit's losses differ from the loop's by at most {gap:.1e}")
    if device.type == "cpu":
        assert gap == 0, name

# %%
# The learning curves
# -------------------
# Both axes are logarithmic so that 10 LBFGS steps and 2000 gradient steps
# fit on one figure. The dotted line is the least-squares optimum.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.5, 3.6), layout="constrained")
for name, (history, _) in results.items():
    steps = np.arange(1, len(history) + 1)
    ax.loglog(steps, history, marker="o" if name == "lbfgs" else None, label=name)
ax.axhline(best, color="0.3", linestyle=":", label=f"optimum {best:.3f}")
ax.set(
    xlabel="step, 1 being the starting point (log scale)",
    ylabel="sum of squared errors (log scale)",
    title="Loss of a + b·P3(c + dx)\nunder gradient descent, Adam and LBFGS",
)
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %%
# Reading the result
# ------------------
# * Gradient descent is still above the optimum after 2000 steps. At the
#   optimum the loss curves about 600 times more steeply in its steepest
#   direction than in its flattest: that is the ratio of the largest to the
#   smallest eigenvalue of the Hessian, its condition number, printed below.
#   One fixed step must be small enough for the steepest direction, so
#   progress along the flattest one crawls.
# * Adam rescales every parameter separately, which undoes most of that
#   imbalance: it reaches the optimum in a few hundred steps.
# * LBFGS estimates the curvature and searches along a line, so its first
#   step already lands on the optimum (the curve shows the loss *before* each
#   step): four parameters and no noise is where it shines.
#
# Adam and LBFGS end on the same coefficients, :math:`a \approx c \approx 0`
# (:math:`\sin` is odd), :math:`b \approx -2.234` and :math:`d \approx 0.2557`;
# gradient descent is still on its way there. Why not take larger
# gradient steps, then? Near the optimum, a step longer than 2 divided by the
# largest eigenvalue moves the parameters further from it along the steepest
# direction at every step. Doubling the step already passes that limit: the
# loss stops falling and swings between two values. Ten times it makes the
# loss explode; :func:`legendre.fit` then stops with an error naming the step
# rather than printing ``nan`` for the rest of the run.
optimum = torch.tensor(results["lbfgs"][1], dtype=torch.float64)
x_64, y_64 = x.double(), y.double()


def loss_at(theta):
    a, b, c, d = theta
    t = c + d * x_64
    return (a + b * 0.5 * (5 * t**3 - 3 * t) - y_64).pow(2).sum()


hessian = torch.autograd.functional.hessian(loss_at, optimum.to(device))
eigenvalues = torch.linalg.eigvalsh(hessian.cpu())  # in ascending order
condition = (eigenvalues[-1] / eigenvalues[0]).item()
print(f"condition number of the Hessian at the optimum: {condition:.0f}")
assert round(condition, -2) == 600  # "about 600 times"
limit = 2 / eigenvalues[-1].item()
print(f"longest stable step, 2 / largest eigenvalue: {limit:.2g}")
*_, before_last, last = legendre.fit(x, y, steps=2000, lr=1e-5, log_every=None).history
print(f"lr=1e-5: the last two losses {before_last:.3f} and {last:.3f}, "
      f"against {results['sgd'][0][-1]:.3f} at lr=5e-6")  # fmt: skip
assert 5e-6 < limit < 1e-5
assert min(before_last, last) > results["sgd"][0][-1]
assert abs(last - before_last) > 1  # two values, not one the loss settled at
try:
    too_far = legendre.fit(x, y, steps=2000, lr=5e-5, log_every=None)
except legendre.DivergenceError as error:
    print(f"lr=5e-5: DivergenceError, the loss stopped being finite at step {error.step}")
else:
    print(f"lr=5e-5 stayed finite this time, ending at {too_far.history[-1]:.3f}")

# %%
# What we learned
# ---------------
# * The optimizer is a separate choice from the model and the Function: the
#   same :class:`legendre.LegendrePolynomial3` backward pass serves all three,
#   through one loop of ``zero_grad``, ``backward`` and ``step(closure)``.
# * Settings are part of the method: Adam's step size, and LBFGS's line
#   search and tolerances, decide how well each does here.
# * Compare optimizers by wall-clock time or by loss evaluations, not by
#   steps: an LBFGS step is many evaluations.
# * A closed-form optimum, here the least-squares cubic, tells you whether a
#   training run has finished or merely slowed down.
#
# .. seealso::
#
#    :doc:`../core/plot_01_custom_function` writes the gradient-descent loop by hand;
#    :doc:`plot_09_any_degree` fits longer Legendre series with LBFGS.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["optimizers", "training"]
