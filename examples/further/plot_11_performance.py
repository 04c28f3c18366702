r"""
How fast can a training step be?
================================

**You will learn** what a training step costs, and where gradients written by
hand pay.

A custom Function costs about what plain autograd costs: both record a graph
at every step and replay it backwards. If a step must be fast, the speed
comes from writing the gradients out by hand, which leaves autograd out of
the step altogether. The ratios printed under the table below measure both
claims at the tutorial's size.

The tutorial's loop is slow, and not because of its arithmetic: a step is a
few dozen multiplications and additions per point. The table below times
the same step computed four ways, with the ``method`` argument of
:func:`legendre.fit`, next to the tutorial's loop as written and a *floor*:
the step as a single C loop, which is what the arithmetic alone costs. The
loop takes hundreds of times the floor's time, spent in Python, in
PyTorch's dispatcher and in autograd's graph. Every number was measured
while this page was built.
"""

# %%
# The machine
# -----------
# Timings depend on everything else the machine is doing, so its load
# average (the number of processes waiting for a CPU) is printed with them.
import torch

import legendre
from legendre import benchmark

device = legendre.default_device()
print(f"Running on: {device}")
print(benchmark.machine(device))

# %%
# Four ways to compute one step
# -----------------------------
# ``"function"`` is the tutorial: the model calls the custom Function, autograd
# records a graph and ``loss.backward()`` walks it. ``"autograd"`` writes
# :math:`P_3` with plain tensor operations instead. Both allocate a new
# tensor of the data's size for nearly every operation, forwards and
# backwards, at every step.
#
# ``"fused"`` does without autograd. For :math:`r = a + b P_3(c + dx) - y` and
# :math:`t = \tfrac52 z^2 - \tfrac32` with :math:`z = c + dx`, we have
# :math:`P_3(z) = zt` and :math:`P_3'(z) = 3t + 3`, which give the gradients
# of :math:`L = \sum r^2`:
#
# .. math::
#
#    \partial_a L &= 2\sum r, \\
#    \partial_b L &= 2\sum r z t, \\
#    \partial_c L &= 6b \sum r (t + 1), \\
#    \partial_d L &= 6b \sum r (t + 1) x.
#
# The fused step evaluates them with twelve tensor operations that write
# into one buffer of three rows, allocated once, and updates the parameters
# in place. At 2000 points each operation costs far more to dispatch than to
# compute, so the count matters more than the arithmetic: two
# matrix-vector products, with a row of ones and with :math:`x`, give the
# four sums the gradients need. ``"compiled"`` gives the same formulas to
# :func:`torch.compile`, which generates one loop over the data, at the price
# of compiling it first.
#
# All four follow the same trajectory, up to rounding. A short run at the
# tutorial's size checks it before anything is timed:
import math

x = torch.linspace(-math.pi, math.pi, 2000, device=device)
y = torch.sin(x)
histories = {
    method: legendre.fit(x, y, steps=300, log_every=None, method=method).history
    for method in ("function", "autograd", "fused")
}
for method, history in histories.items():
    worst = max(abs(h - f) / f for h, f in zip(history, histories["function"], strict=True))
    print(f"{method:>9}: loss after 300 steps {history[-1]:.6f}, largest relative gap {worst:.1e}")

# %%
# Timing
# ------
# ``legendre.benchmark`` runs each method in turn, several times, and keeps
# the median time per step. The sizes are the tutorial's 2000 points and
# 200 000 points, where the work per point starts to matter (with a step
# size 100 times smaller, because the loss is a sum over the points). The
# compiled step is timed only at the larger size: at 2000 points the checks
# :func:`torch.compile` runs before each call cost more than the whole fused
# step.
#
# .. note::
#
#    How the numbers are kept fair. Compiling is timed first and apart: it
#    takes seconds, or much less when an earlier run left the code in torch's
#    on-disk cache. Taking turns puts a busy spell of the machine on every
#    method alike. On a machine whose load average exceeds its number of
#    CPUs, large-data timings scatter, because each operation splits its work
#    between threads and waits for the slowest; ``nox -s bench -- --threads
#    1`` gives steadier numbers there. And the C library's allocator hands
#    big freed blocks back to the operating system, so a method could pay page
#    faults that depend on the method before it:
#    ``benchmark.keep_freed_memory()`` asks glibc to keep them (elsewhere it
#    does nothing and returns ``False``).
benchmark.keep_freed_memory()
small, large = 2000, 200_000
methods = ["original", "function", "autograd", "fused"]
print(f"compiling for {large} points: {benchmark.compile_seconds(large, device):.1f} s")
rows = benchmark.run([small], [*methods, "floor"], repeats=3, device=device, memory=False)
rows += benchmark.run(
    [large], [*methods, "compiled", "floor"], repeats=3, device=device, memory=False
)
per_step = {(row.n, row.method): row.seconds_per_step for row in rows}
# The table's main columns, narrow enough for a phone (``nox -s bench`` prints all)
print(f"{'n':>7}  {'method':<8} {'µs/step':>9} {'÷ original':>10}")
for row in rows:
    ratio = row.seconds_per_step / per_step[row.n, "original"]
    print(f"{row.n:>7}  {row.method:<8} {row.seconds_per_step * 1e6:>9.1f} {ratio:>10.3g}")
ratios = {
    "custom Function / plain autograd": ("function", "autograd"),
    "hand-written step / custom Function": ("fused", "function"),
}
print(f"time per step at {small} points, as a ratio:")
for label, (top, bottom) in ratios.items():
    print(f"  {label}: {per_step[small, top] / per_step[small, bottom]:.2f}")
# the lesson above, with margins wide enough for a busy machine
same_cost = per_step[small, "function"] / per_step[small, "autograd"]
assert 0.5 < same_cost < 2, f"a custom Function cost {same_cost:.2f} times plain autograd"
assert per_step[small, "fused"] < per_step[small, "function"] / 2, "hand-written is not faster"
if (small, "floor") in per_step:
    overhead = per_step[small, "original"] / per_step[small, "floor"]
    print(f"at {small} points the tutorial's loop takes {overhead:.0f} times the floor's time")
    assert overhead > 100, "the loop no longer takes hundreds of times the floor's time"

# %%
# Memory
# ------
# Autograd keeps the intermediate tensors of every step alive until the
# backward pass has used them; the fused step needs only its buffer of three
# rows. The peaks below count arrays of the data's size.
#
# .. note::
#
#    Torch does not count CPU allocations, so each measurement runs in a
#    fresh Python process and reads the operating system's peak for that
#    process (on CUDA, the caching allocator's own peak).
n_memory = 1_000_000
array_bytes = n_memory * torch.finfo(torch.float32).bits // 8  # the data are float32
for method in ("original", "fused"):
    peak = benchmark.peak_memory(method, n_memory, device=device)
    shown = "not measurable here" if peak is None else f"{peak / array_bytes:.2f} arrays of n"
    print(f"{method:>9}: {shown}")

# %%
# The comparison in one figure
# ----------------------------
# Each bar is the median time of one step, labelled as in the table's
# "÷ original" column: its time divided by the tutorial loop's, so 0.1 means
# ten times faster. The dashed red line marks the floor. The axis is
# logarithmic: each grid line stands for ten times the time of the one to its
# left.
import matplotlib.pyplot as plt

for n in (small, large):
    # one figure per size: side by side on a wide screen, stacked on a phone
    fig, ax = plt.subplots(figsize=(4.5, 3.4), layout="constrained")
    timed = {row.method: row.seconds_per_step * 1e6 for row in rows if row.n == n}
    floor = timed.pop("floor", None)
    names = list(timed)
    ax.barh(names, [timed[name] for name in names], color="C0", height=0.6)
    for i, name in enumerate(names):
        relative = timed[name] / timed["original"]
        ax.annotate(
            f"{relative:.3g}", (timed[name], i), xytext=(4, 0), textcoords="offset points",
            va="center", fontsize=9,
        )  # fmt: skip
    title = f"One step on {device}, {n:,} points"
    if floor is not None:
        ax.axvline(floor, color="C3", linestyle="--")
        title += f"\nC floor (dashed): {floor:.2g} µs"
    ax.set_xscale("log")
    lowest = min([*timed.values(), floor or math.inf])
    ax.set_xlim(lowest / 3, max(timed.values()) * 20)  # room for the labels
    ax.set(xlabel="µs per step (log scale)", title=title)
    ax.invert_yaxis()
    ax.grid(True, axis="x", alpha=0.3)
plt.show()

# %%
# What we learned
# ---------------
# * At the tutorial's size almost all of a step is overhead: Python, the
#   dispatcher and autograd. Writing the gradients out by hand and reusing
#   buffers removes most of it.
# * On large data the work per point dominates. Separate tensor operations
#   each read and write the whole data; a compiled step reads it once and
#   comes closest to the floor.
# * Hand-derived gradients are a second implementation to keep correct: the
#   fused step is tested against autograd, not trusted.
#
# .. seealso::
#
#    ``nox -s bench`` (or ``python -m legendre.benchmark``) prints the full
#    table, at 2000 and 2 000 000 points, with peak memory for every method;
#    :doc:`../core/plot_07_compiling` finds when compiling the autograd step pays;
#    :func:`legendre.fit` documents the ``method`` argument.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["performance", "benchmark"]
