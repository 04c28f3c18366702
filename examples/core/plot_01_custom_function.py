r"""
Writing a custom autograd Function
==================================

**You will learn** the two methods of a custom Function, ``forward`` and
``backward``, and a training loop that uses it.

We fit :math:`y = \sin(x)` on :math:`[-\pi, \pi]` with a cubic written in an
unusual way:

.. math:: y = a + b \, P_3(c + d x).

In it, :math:`P_3(x) = \tfrac12 (5x^3 - 3x)` is the Legendre polynomial of
degree three. PyTorch can differentiate :math:`P_3` on its own, but here we
teach it how: we write :math:`P_3` as a custom
:class:`torch.autograd.Function` with a forward pass that computes the value
and a backward pass that applies the chain rule with the derivative:

.. math:: P_3'(x) = \tfrac32 (5x^2 - 1).

The same recipe lets you plug into autograd an operation it cannot see
through: a call into another library, a kernel of your own, or a formula
whose hand-written gradient is cheaper or more stable than the automatic one.
(For a kernel that ``torch.compile`` must treat as one opaque operation,
``torch.library.custom_op`` is the tool: :doc:`plot_07_compiling` shows it.)
"""

# %%
# The device
# ----------
# Up to the training, this page needs nothing but torch. It runs on an NVIDIA
# GPU if there is one, else on Apple's MPS, else on the CPU; the printed line
# says which one ran.
import math

import torch

if torch.cuda.is_available():
    device = torch.device("cuda")
elif torch.backends.mps.is_available():
    device = torch.device("mps")
else:
    device = torch.device("cpu")
print(f"Running on: {device}")

# %%
# The Function
# ------------
# A custom Function is a subclass of :class:`torch.autograd.Function` with two
# static methods. ``forward`` receives a context object ``ctx`` and the input
# tensor. Anything the backward pass will need goes through
# ``ctx.save_for_backward``: autograd keeps those tensors alive, checks that
# nobody modifies them in place before they are used, and hands them back as
# ``ctx.saved_tensors``. ``backward`` receives the gradient of the loss with
# respect to the Function's output and must return the gradient with respect
# to its input: here, that incoming gradient times :math:`P_3'(x)`.


class CubicLegendre(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)  # backward needs x to evaluate P3'(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


# %%
# A Function is never instantiated: its methods are static and the object
# autograd needs is built for you on every call of ``apply``. Calling
# ``CubicLegendre()(x)`` fails; ``CubicLegendre.apply(x)`` records the call in
# the autograd graph so that ``backward`` runs when the loss is
# differentiated. Giving ``apply`` a short name keeps the model readable.
P3 = CubicLegendre.apply

# %%
# Data and parameters
# -------------------
# 2000 evenly spaced points of :math:`\sin(x)` in single precision, and four
# scalar parameters. Gradient descent on this model only converges from a
# starting point near the answer, hence :math:`b = -1` and :math:`d = 0.3`
# rather than random values. Nothing here is random, so every run prints the
# same numbers.
dtype = torch.float32
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)

start = {"a": 0.0, "b": -1.0, "c": 0.0, "d": 0.3}
params = {
    name: torch.full((), value, dtype=dtype, device=device, requires_grad=True)
    for name, value in start.items()
}
a, b, c, d = params.values()

# %%
# Training
# --------
# Each step evaluates the model through our Function, sums the squared
# errors, lets autograd call ``CubicLegendre.backward`` to get the gradients
# of all four parameters, and moves each parameter a small step against its
# gradient. Gradients accumulate in ``.grad`` unless cleared, so each one is
# reset after its update. The loss is printed every 100 steps.
learning_rate = 5e-6
losses = []
for step in range(2000):
    loss = (a + b * P3(c + d * x) - y).pow(2).sum()
    losses.append(loss.item())
    if step % 100 == 99:
        print(step, losses[-1])

    loss.backward()
    with torch.no_grad():
        for p in params.values():
            p -= learning_rate * p.grad
            p.grad = None

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")

# %%
# The fit
# -------
# The cubic follows the sine closely inside the interval; its largest
# errors are at the two ends, where a cubic cannot bend like :math:`\sin`
# (the line printed below says where the largest one is).
import matplotlib.pyplot as plt

with torch.no_grad():
    fitted = a + b * P3(c + d * x)
error = (fitted - y).abs()
worst = int(error.argmax())
print(f"largest error {error[worst]:.3f} at x = {x[worst]:.3f}; mean error {error.mean():.3f}")
assert abs(x[worst]) > 0.9 * math.pi, "the largest error is not at an end"

fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.plot(x.cpu(), y.cpu(), label=r"$\sin(x)$", linewidth=3, color="0.7")
ax.plot(x.cpu(), fitted.cpu(), label=r"$a + b\,P_3(c + dx)$", color="C3", linestyle="--")
ax.set(xlabel="x", ylabel="y", title="sin(x) and the fitted Legendre cubic on [-π, π]")
ax.legend()
plt.show()

# %%
# The loss fell quickly at first, then slowly: gradient descent with a small
# fixed step crawls once the remaining error lies along a flat direction.
fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.semilogy(losses, color="C0")
ax.set(
    xlabel="step",
    ylabel="sum of squared errors (log scale)",
    title=f"Training loss of the Legendre cubic,\nfrom {losses[0]:.0f} down to {losses[-1]:.1f}",
)
ax.grid(True, which="both", alpha=0.3)
plt.show()

# %%
# The same run from the package
# -----------------------------
# The next pages reuse this Function and this loop, so this site's small
# package, ``legendre``, holds them: :func:`legendre.fit` packs the loop, with
# argument checks and an error instead of a page of ``nan`` when the step size
# is too large, and :class:`legendre.LegendrePolynomial3` is the Function
# above. With the same data it takes exactly the same steps:
import legendre

result = legendre.fit(x, y, log_every=None)
print(f"legendre.fit: {result}")
print("identical losses at every step:", result.history == losses)

# %%
# Exercise: write P4
# -------------------
# Write :math:`P_4(x) = \tfrac18 (35x^4 - 30x^2 + 3)` as a Function, with
# the derivative :math:`P_4'(x) = \tfrac12 (35x^3 - 15x)` in its backward
# pass. Fill in ``LegendreP4``, then run the check cell: it compares your
# Function with NumPy's Legendre module and runs ``gradcheck``, which
# :doc:`plot_02_checking_backward` explains.
from legendre.exercises import check_legendre

language = "English"  # the verdicts' language


class LegendreP4(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        pass  # your answer: save what backward needs, return P4(x)

    @staticmethod
    def backward(ctx, grad_output):
        pass  # your answer: return grad_output times P4'(x)


# %%
print(check_legendre(LegendreP4, 4, language=language))

# %%
# .. raw:: html
#
#    <details class="legendre-solution"><summary>Solution</summary>
#
# The same two methods as ``CubicLegendre``, with the new formulas:


class SolvedP4(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (35 * x**4 - 30 * x**2 + 3) / 8

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (35 * x**3 - 15 * x) / 2


verdict = check_legendre(SolvedP4, 4, language=language)
print(verdict)
assert verdict.solved

# %%
# .. raw:: html
#
#    </details>
#
# What we learned
# ---------------
# * A custom Function is a pair of static methods, ``forward`` and
#   ``backward``, used through ``apply``.
# * ``ctx.save_for_backward`` carries the tensors the backward pass needs.
# * ``backward`` multiplies the incoming gradient by the local derivative.
#
# .. seealso::
#
#    :doc:`/api` documents :func:`legendre.fit` and
#    :class:`legendre.LegendrePolynomial3`; the PyTorch guide
#    `Extending torch.autograd <https://pytorch.org/docs/stable/notes/extending.html>`_
#    covers the rules in full.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "training", "beginner"]
