r"""
Saving or computing again: the memory a backward pass keeps
===========================================================

This page measures what a Function keeps alive between its forward and
backward passes, when it saves intermediate results and when it computes them
again. It builds on :doc:`../core/plot_05_modern_style`, which writes the two
Functions compared here.

**You will learn** to see every tensor a Function saves with
``torch.autograd.graph.saved_tensors_hooks``, and what saving the
intermediate results of :math:`P_n` costs.
"""

# %%
# Two ways to the same gradient
# -----------------------------
# :class:`legendre.LegendrePolynomial` saves only the points and computes
# :math:`P_0, \ldots, P_{n-1}` again in its backward pass. ``KeptLegendre``,
# from the modern-style page, keeps them: it returns them as a second,
# differentiable output and saves it. A small function hides that output.
import torch

import legendre

device = legendre.default_device()
dtype = torch.float32 if device.type == "mps" else torch.float64
print(f"Running on: {device} ({dtype})")


# The table of P_0 ... P_n by Bonnet's recurrence, as the package computes it
from legendre.functions import legendre_basis as legendre_table


def legendre_slopes(lower):
    """:math:`P_0', \\ldots, P_n'` from the table ``lower`` of :math:`P_0, \\ldots, P_{n-1}`."""
    slopes = [torch.zeros_like(lower[..., 0]), torch.ones_like(lower[..., 0])]
    for k in range(1, lower.shape[-1]):
        slopes.append(slopes[k - 1] + (2 * k + 1) * lower[..., k])
    return slopes[: lower.shape[-1] + 1]


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


def kept_legendre(t, n):
    value, _ = KeptLegendre.apply(t, n)
    return value


# %%
# Seeing what is saved
# --------------------
# ``torch.autograd.graph.saved_tensors_hooks(pack, unpack)`` calls ``pack``
# on every tensor a Function saves with ``save_for_backward`` (and
# ``unpack`` when the backward pass reads it back). Here ``pack`` adds up the
# bytes of the memory behind each tensor, counting shared memory once, for
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

# %%
# Both give the same gradient:
x = torch.linspace(-1, 1, 7, dtype=dtype, device=device)
t = x.clone().requires_grad_()
kept_legendre(t, degree).sum().backward()
s = x.clone().requires_grad_()
legendre.LegendrePolynomial.apply(s, degree).sum().backward()
print(f"largest gradient difference: {(t.grad - s.grad).abs().max().item():.1e}")
assert torch.allclose(t.grad, s.grad)

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
# Here ten times the memory at degree 10 buys nothing. The backward pass
# that keeps the table skips the recurrence of the values, a few
# multiplications per point and degree, but to keep second derivatives right
# it also works through the table's own gradient (zeros, when nothing uses
# the table): more work than it saves. The package computes again: whatever
# the degree, it keeps only the points. Keeping is the better choice when an
# intermediate result is expensive to rebuild and small to keep.
#
# What the hooks cannot see
# -------------------------
# The hooks see every tensor that torch's own operations save, but of what a
# custom Function keeps, only what goes through ``save_for_backward``. A
# Function that keeps its input as an attribute of ``ctx`` instead, a mistake
# :doc:`../core/plot_03_common_mistakes` warns about, keeps the same memory,
# but no hook sees it, so no tool built on them (offloading saved tensors to
# the CPU, compressing them) can act on it:


class CubicOnCtx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.t = t  # kept, but not saved
        return 0.5 * (5 * t**3 - 3 * t)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 1.5 * (5 * ctx.t**2 - 1)


hidden = saved_bytes(lambda t, n: CubicOnCtx.apply(t), points, 3)
seen = saved_bytes(lambda t, n: legendre.LegendrePolynomial3.apply(t), points, 3)
print(f"the hooks see {hidden} bytes on ctx and {seen / 1e6:.0f} MB saved")
assert hidden == 0
assert seen == recomputed

# %%
# What we learned
# ---------------
# * ``saved_tensors_hooks`` sees every tensor saved with
#   ``save_for_backward``, and nothing kept as an attribute of ``ctx``.
# * Keeping the :math:`n` intermediate results of :math:`P_n` costs
#   :math:`n` arrays of the points' size; computing them again costs a few
#   multiplications per point and degree.
#
# .. seealso::
#
#    PyTorch's tutorial `Hooks for autograd saved tensors
#    <https://docs.pytorch.org/tutorials/intermediate/autograd_saved_tensors_hooks_tutorial.html>`_
#    shows what the hooks are for: offloading and compressing what a
#    backward pass keeps.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["custom Function", "memory", "setup_context"]
