r"""
Common mistakes with custom Functions
=====================================

**You will learn** eight mistakes with a custom
:class:`torch.autograd.Function`, each with its fix: some make torch stop
with an error, others give a wrong gradient silently. Every error below is
what the installed torch printed when this page was built.
"""

# %%
# Catching what torch says
# ------------------------
# ``attempt`` runs code and prints what torch warned or raised. The data are
# five points on the CPU, where NumPy can read them (mistake 8).
import warnings

import torch

from legendre import LegendrePolynomial3

print("Running on: cpu")


def attempt(action):
    """Run ``action``; print its warnings and error, and return its result."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action()
        except Exception as error:  # noqa: BLE001 (any error is what we want to show)
            result = None
            outcome = f"raises {type(error).__name__}: {str(error).splitlines()[0]}"
        else:
            outcome = "runs"
    for warning in caught:
        print(f"warns {warning.category.__name__}: {warning.message}")
    print(outcome)
    return result


def p3_derivative(t):
    """P3's derivative, written out: the reference for every gradient below."""
    return 1.5 * (5 * t**2 - 1)


x = torch.linspace(-1, 1, 5)

# %%
# 1. Calling an instance instead of ``apply``
# -------------------------------------------
# A Function's methods are static: call ``apply`` on the class, never an
# instance (the old, removed style).
attempt(lambda: LegendrePolynomial3()(x))

# %%
# The fix, ``apply`` on the class:
print(attempt(lambda: LegendrePolynomial3.apply(x)))

# %%
# 2. Too few gradients
# --------------------
# ``backward`` returns one gradient per argument of ``forward``, in order,
# non-tensors included: the integer degree ``n`` gets ``None``, and
# forgetting it is an error.


class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t, n):
        ctx.save_for_backward(t)
        ctx.n = n  # plain Python values may live on ctx
        return t**n

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        return grad_output * ctx.n * t ** (ctx.n - 1)  # one gradient for two arguments


t = x.clone().requires_grad_()
attempt(lambda: Power.apply(t, 3).sum().backward())


# %%
# The fix returns ``None`` for ``n``:
class FixedPower(Power):
    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        return grad_output * ctx.n * t ** (ctx.n - 1), None


attempt(lambda: FixedPower.apply(t, 3).sum().backward())
print(t.grad)

# %%
# 3. Changing a saved tensor in place
# -----------------------------------
# A saved input changed in place would put the derivative at the wrong point;
# every tensor counts its in-place changes, so autograd refuses.
t = x.clone().requires_grad_()


def change_saved_input():
    u = t * 1
    y = LegendrePolynomial3.apply(u)
    u.add_(1)  # after the forward pass saved u
    y.sum().backward()


attempt(change_saved_input)

# %%
# The fix: leave ``u`` alone, or change a copy (``u = u + 1`` makes a new
# tensor).
#
# 4. Keeping tensors as ``ctx`` attributes
# ----------------------------------------
# Unlike an attribute of ``ctx``, ``ctx.save_for_backward`` checks the count
# of in-place changes (mistake 3), keeps an output without a reference cycle,
# and shows the tensor to saved-tensor hooks, functions autograd calls on
# every saved tensor (:doc:`../further/plot_13_saving_memory`). With
# ``ctx.t = t``, the same in-place change gives a wrong gradient, silently.


class CubicOnCtx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.t = t  # the mistake: not ctx.save_for_backward(t)
        return 0.5 * (5 * t**3 - 3 * t)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * p3_derivative(ctx.t)


def gradient_after_changing_the_input(points):
    t = points.clone().requires_grad_()
    u = t * 1
    y = CubicOnCtx.apply(u)
    u.add_(1)
    y.sum().backward()
    return t.grad


grad = attempt(lambda: gradient_after_changing_the_input(x))
wrong = (grad - p3_derivative(x)).abs().max().item()
print(f"largest error of that gradient: {wrong}")
assert wrong > 1  # silently wrong, not a rounding error

# %%
# The backward pass read ``ctx.t`` after the change, one unit right of where
# the forward pass evaluated.
import matplotlib.pyplot as plt

fine = torch.linspace(-1, 1, 201)
fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.plot(fine, p3_derivative(fine), color="0.5", linewidth=3, label="exact: P3'(t)")
wrong_gradient = gradient_after_changing_the_input(fine)
ax.plot(fine, wrong_gradient, "--", color="C3", label="input kept on ctx: P3'(t + 1)")
ax.set(xlabel="t", ylabel="gradient", title="Mistake 4: the gradient taken at the wrong point")
ax.legend()
plt.show()

# %%
# An output kept on ``ctx`` (the backward of :math:`e^t` needs it) makes a
# cycle through its ``grad_fn`` and ``ctx``: deleting it frees nothing until
# Python's cycle collector runs:
import gc
import weakref


class ExpOnCtx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.result = t.exp()  # the mistake: not ctx.save_for_backward(result)
        return ctx.result

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.result


y = ExpOnCtx.apply(x.clone().requires_grad_())
alive = weakref.ref(y)
del y
print(f"the output after del: alive={alive() is not None}")
gc.collect()
print(f"after gc.collect(): alive={alive() is not None}")

# %%
# The fix is ``ctx.save_for_backward(t)`` and ``ctx.saved_tensors``, as in
# :class:`legendre.LegendrePolynomial3`; the same change then raises mistake
# 3's error. It takes tensors (and ``None``) only: a number such as a degree
# stays an attribute of ``ctx`` (mistake 2). Saving it fails:


class SavesAnInt(FixedPower):
    @staticmethod
    def forward(ctx, t, n):
        ctx.save_for_backward(t, n)  # the mistake: n is an int
        return t**n


attempt(lambda: SavesAnInt.apply(x.clone().requires_grad_(), 3))

# %%
# 5. Changing an input in place without ``mark_dirty``
# ----------------------------------------------------
# A Function that changes its input in place must say so with
# ``ctx.mark_dirty``; otherwise autograd keeps the input's old history, and a
# gradient through it is wrong.


class DoubleInPlace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        return t.mul_(2)  # the mistake: no ctx.mark_dirty(t)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2


class MarkedDoubleInPlace(DoubleInPlace):
    @staticmethod
    def forward(ctx, t):
        ctx.mark_dirty(t)
        return t.mul_(2)


gradients = {}
for function in (DoubleInPlace, MarkedDoubleInPlace):
    t = x.clone().requires_grad_()
    u = t * 1
    function.apply(u)
    u.sum().backward()  # u is now 2 t: its gradient with respect to t is 2
    gradients[function.__name__] = t.grad.tolist()
    print(f"{function.__name__}: gradient {gradients[function.__name__]}")
assert gradients == {"DoubleInPlace": [1.0] * 5, "MarkedDoubleInPlace": [2.0] * 5}

# %%
# 6. Assuming every gradient is a tensor
# --------------------------------------
# When a loss uses one of two outputs, autograd passes zeros as the other's
# gradient. ``ctx.set_materialize_grads(False)`` saves that tensor: ``backward``
# then receives ``None`` and must handle it.


class TwoOutputs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.set_materialize_grads(False)
        return 2 * t, 3 * t

    @staticmethod
    def backward(ctx, grad_first, grad_second):
        return 2 * grad_first + 3 * grad_second  # the mistake: grad_second may be None


class SafeTwoOutputs(TwoOutputs):
    @staticmethod
    def backward(ctx, grad_first, grad_second):
        if grad_first is None and grad_second is None:
            return None  # it happens, when neither gradient survived the way back
        first = 0 if grad_first is None else 2 * grad_first
        second = 0 if grad_second is None else 3 * grad_second
        return first + second


t = x.clone().requires_grad_()
attempt(lambda: TwoOutputs.apply(t)[0].sum().backward())
attempt(lambda: SafeTwoOutputs.apply(t)[0].sum().backward())
print(t.grad)

# %%
# 7. An output without a derivative, left differentiable
# -------------------------------------------------------
# Some outputs have no derivative: an index, a count, a mask. Integer outputs
# never require a gradient; a floating one, here the mask of where :math:`P_3`
# is positive, does unless ``ctx.mark_non_differentiable`` says otherwise, and
# a loss built on it silently trains nothing: its gradient is zero.


class CubicAndSign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        value = 0.5 * (5 * t**3 - 3 * t)
        ctx.save_for_backward(t)
        # the mistake: no ctx.mark_non_differentiable for the mask
        return value, (value > 0).to(t.dtype), torch.argsort(value)

    @staticmethod
    def backward(ctx, grad_value, grad_mask, grad_order):
        (t,) = ctx.saved_tensors
        return grad_value * p3_derivative(t)


class MarkedCubicAndSign(CubicAndSign):
    @staticmethod
    def forward(ctx, t):
        value, mask, order = CubicAndSign.forward(ctx, t)
        ctx.mark_non_differentiable(mask)
        return value, mask, order


t = x.clone().requires_grad_()
value, mask, order = CubicAndSign.apply(t)
print(f"order: {order.dtype}, requires_grad={order.requires_grad}")
print(f"mask: {mask.dtype}, requires_grad={mask.requires_grad}")
mask.sum().backward()
print(f"gradient through the mask: {t.grad.tolist()}")
assert not order.requires_grad
assert mask.requires_grad
assert not t.grad.any()

# %%
# Marked, the mask is a plain tensor, and training through it is an error:
value, mask, order = MarkedCubicAndSign.apply(x.clone().requires_grad_())
print(f"mask: requires_grad={mask.requires_grad}")
attempt(lambda: mask.sum().backward())

# %%
# 8. A second derivative through a backward autograd cannot see
# -------------------------------------------------------------
# A ``backward`` written with torch operations can itself be differentiated;
# one that leaves torch (here for ``numpy.polynomial.legendre``) silently
# loses that part of the second derivative. Take that of
# :math:`\sum_i P_3(t_i)^2`, exactly :math:`2\,(P_3'^2 + P_3\,P_3'')`.
# ``torch.autograd.grad`` with ``create_graph=True`` returns the first
# derivative with the backward pass recorded, so that it can be
# differentiated again:
import numpy as np

P3_COEFFICIENTS = [0, 0, 0, 1]  # P3 as a Legendre series


class NumpyCubic(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        values = np.polynomial.legendre.legval(t.detach().numpy(), P3_COEFFICIENTS)
        return torch.from_numpy(values)

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        slope = np.polynomial.legendre.legder(P3_COEFFICIENTS)
        values = np.polynomial.legendre.legval(t.detach().numpy(), slope)
        return grad_output * torch.from_numpy(values)


def second_derivative(function):
    t = x.double().requires_grad_()
    (first,) = torch.autograd.grad(function.apply(t).pow(2).sum(), t, create_graph=True)
    first.sum().backward()
    return t.grad


x64 = x.double()
p3, p3_slope, p3_curvature = 0.5 * (5 * x64**3 - 3 * x64), p3_derivative(x64), 15 * x64
exact = 2 * (p3_slope**2 + p3 * p3_curvature)
found = attempt(lambda: second_derivative(NumpyCubic))
print(f"found {found.tolist()}\nexact {exact.tolist()}")
assert not torch.allclose(found, exact)

# %%
# ``@once_differentiable`` marks such a backward: differentiating through it
# with ``.backward()``, as here, raises an error instead. It is a label, not a
# guard: ``torch.autograd.grad`` never reaches that error, and
# :doc:`plot_05_modern_style` shows it returning a wrong second derivative in
# silence. ``gradgradcheck`` catches both; the fix is a backward autograd can
# see (:doc:`plot_04_when_to_write_one`).
from torch.autograd.function import once_differentiable


class HonestNumpyCubic(NumpyCubic):
    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        return NumpyCubic.backward(ctx, grad_output)


attempt(lambda: second_derivative(HonestNumpyCubic))

# %%
# Exercise: fix two mistakes at once
# ----------------------------------
# ``CubicAndMask`` returns :math:`P_3(t)` and the mask of where it is
# positive, with two of the mistakes above; write ``MyCubicAndMask`` without
# them.
from legendre.exercises import check_cubic_and_mask

language = "English"  # the verdicts' language


class CubicAndMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.t = t
        value = 0.5 * (5 * t**3 - 3 * t)
        return value, (value > 0).to(t.dtype)

    @staticmethod
    def backward(ctx, grad_value, grad_mask):
        return grad_value * p3_derivative(ctx.t)


class MyCubicAndMask(CubicAndMask):
    pass  # your answer: replace this line with a forward and a backward


# %%
print(check_cubic_and_mask(MyCubicAndMask, language=language))

# %%
# .. raw:: html
#
#    <details class="legendre-solution"><summary>Solution</summary>
#
# Mistakes 7 and 4: the mask needs ``mark_non_differentiable``, the input
# ``save_for_backward``:


class SolvedCubicAndMask(CubicAndMask):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        value = 0.5 * (5 * t**3 - 3 * t)
        mask = (value > 0).to(t.dtype)
        ctx.mark_non_differentiable(mask)
        return value, mask

    @staticmethod
    def backward(ctx, grad_value, grad_mask):
        (t,) = ctx.saved_tensors
        return grad_value * p3_derivative(t)


verdict = check_cubic_and_mask(SolvedCubicAndMask, language=language)
print(verdict)
assert verdict.solved

# %%
# .. raw:: html
#
#    </details>
#
# What we learned
# ---------------
# * Call ``Function.apply``; return one gradient per ``forward`` argument,
#   ``None`` for non-tensors.
# * Save tensors with ``save_for_backward`` (checked, no cycle, seen by
#   hooks), numbers on ``ctx``; ``mark_dirty`` an input changed in place.
# * With ``set_materialize_grads(False)``, a gradient may be ``None``.
# * ``mark_non_differentiable`` outputs without a derivative; integer ones
#   are marked already.
# * A backward autograd cannot differentiate gives wrong second derivatives:
#   ``@once_differentiable`` raises in ``.backward()`` only, so test with
#   ``gradgradcheck``.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` writes the Function these mistakes start
#    from; :doc:`plot_02_checking_backward` catches wrong gradients like
#    those of mistakes 4 and 5 when the in-place change happens inside the
#    function given to ``gradcheck``.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "autograd", "debugging"]
