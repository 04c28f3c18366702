r"""
How fast can a training step be?
================================

**You will learn** what a training step costs beyond its arithmetic, how to
remove that cost in two moves (gradients written by hand, then many steps
compiled into one call), and what compiling costs.

A step of the tutorial's loop is a few dozen multiplications and additions
per point. Written as one C loop, the *floor* on this page, it takes a
microsecond or less at the tutorial's 2000 points. The loop itself takes a hundred
times longer or more. This page measures where that time goes and takes it
away, and every ratio it states is checked against the numbers measured
while it was built.
"""

# %%
# One thread, measured in rounds
# ------------------------------
# Timings depend on everything else the machine runs, so its load average
# (the number of processes waiting for a CPU) is printed with them. Every
# timing below runs on one thread, on the CPU, where the floor runs. The
# methods take turns, round after round, so that a busy spell falls on all
# of them; each is reported as the median of the rounds with the range of
# their middle half.
import torch

# This page needs torch 2.6 or newer: its last method, aot, packages a program with AOTInductor.
if torch.__version__ < "2.6":  # torch.__version__ compares as a version, not as text
    raise SystemExit(f"This example needs torch 2.6 or newer, not {torch.__version__}.")

import os

import legendre
from legendre import benchmark

torch.set_num_threads(1)
device = torch.device("cpu")
print(f"Running on: {device}")
# glibc's allocator keeps freed blocks, so no method pays the page faults of the one before
benchmark.keep_freed_memory()
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread of {os.cpu_count()} CPUs")
if hasattr(os, "getloadavg"):  # not on Windows
    print(f"load average: {os.getloadavg()[0]:.1f}")

# %%
# What a step costs besides arithmetic
# ------------------------------------
# Each tensor operation called from Python first passes through PyTorch's
# *dispatcher*: the layer that looks at the operation's inputs (their
# device, whether autograd records them) and picks the kernel to run. With
# the Python call around it, that costs a microsecond or more, however little
# the kernel does. Here is one addition on the tutorial's 2000 points, timed
# in rounds against the floor's whole step:
import math
import statistics
import time

n = 2000
x = torch.linspace(-math.pi, math.pi, n)
y = torch.sin(x)
floor = benchmark.build_floor()  # the step as one C loop; None without a C compiler
add_us, floor_us = [], []
for _ in range(15):
    start = time.perf_counter()
    for _ in range(1000):
        x + 1.0
    add_us.append(1e3 * (time.perf_counter() - start))
    if floor is not None:
        start = time.perf_counter()
        floor(x, y, 1000, benchmark.step_size(n))
        floor_us.append(1e3 * (time.perf_counter() - start))
add_one = statistics.median(add_us)
print(f"one addition on {n} points: {add_one:.2f} µs")
if floor is not None:
    floor_step = statistics.median(floor_us)
    print(f"one whole step of the C loop: {floor_step:.2f} µs")
    assert add_one > floor_step, "one operation no longer costs more than the whole C step"
assert add_one > 0.5, f"one addition took only {add_one:.2f} µs"

# %%
# The original step records about twenty such operations forwards and replays
# them backwards through autograd's graph, so the dispatcher, Python and
# autograd take nearly all of its time. Two moves remove them.
#
# **Fewer operations.** ``method="fused"`` writes the gradients out by hand.
# For :math:`r = a + b P_3(z) - y` with :math:`z = c + dx` and
# :math:`t = \tfrac52 z^2 - \tfrac32` (so that :math:`P_3(z) = zt` and
# :math:`P_3'(z) = 3t + 3`), the gradients of the loss :math:`L = \sum r^2` are:
#
# .. math::
#
#    \partial_a L &= 2\sum r, \\
#    \partial_b L &= 2\sum r z t, \\
#    \partial_c L &= 6b \sum r (t + 1), \\
#    \partial_d L &= 6b \sum r (t + 1) x.
#
# The fused step evaluates these with eleven tensor operations, writing into
# buffers allocated once, with no graph at all. Eleven dispatches still cost
# ten times the floor or more, as the timing below shows.
#
# **Fewer calls.** :func:`torch.compile` (``method="compiled"``) turns the
# same formulas into one C++ loop over the data, but each call still goes
# through Python, compile's checks of its inputs and the dispatcher: tens of
# microseconds. ``method="aot"`` compiles twenty steps in a row, ahead of
# time: ``torch.export.export`` records the step twenty times into one
# graph, AOTInductor (``torch._inductor.aoti_compile_and_package``) turns
# that graph into one C++ function, and ``fit`` calls it once per twenty
# steps. Each step's loss comes back in a vector, so ``fit`` still finds the
# exact step at which a loss stops being finite. The call's overhead is
# now spread over twenty steps, and the function's intermediates, a few
# numbers per step, sit on the C stack (AOTInductor's
# ``allow_stack_allocation``) instead of being allocated anew on every call.
#
# Compiling happens once per data size, dtype and device, on the first call.
# It is timed here, apart from the steps, in this process: with the caches
# that earlier runs left on disk, so these are *warm* figures, and a cold
# start (:doc:`../core/plot_07_compiling`) takes longer:
compile_s = {method: benchmark.compile_seconds(n, device, method) for method in benchmark.COMPILED}
for method, seconds in compile_s.items():
    print(f"{method:>9}: compiling took {seconds:.1f} s (warm caches)")

# %%
# All of them follow the tutorial's trajectory, up to rounding:
histories = {
    method: legendre.fit(x, y, steps=300, log_every=None, method=method).history
    for method in ("function", "autograd", "fused", "aot")
}
for method, history in histories.items():
    worst = max(abs(h - f) / f for h, f in zip(history, histories["function"], strict=True))
    print(f"{method:>9}: loss after 300 steps {history[-1]:.6f}, largest relative gap {worst:.1e}")

# %%
# Timing
# ------
# Each round runs every method for the tutorial's 2000 steps, a whole
# ``fit`` each. ``original`` is the tutorial's loop as written; ``function``
# and ``autograd`` are ``fit`` with the custom Function and with :math:`P_3`
# written in plain tensor operations.
methods = ["original", "function", "autograd", "fused", *benchmark.COMPILED]
if floor is not None:
    methods.append("floor")
rows = benchmark.run([n], methods, repeats=9, device=device, memory=False)
by_method = {row.method: row for row in rows}
print(f"{'method':<9} {'µs/step':>8} {'middle half':>13}")
for row in rows:
    low, high = benchmark.middle_half(row.samples)
    print(
        f"{row.method:<9} {row.seconds_per_step * 1e6:>8.2f} {low * 1e6:>6.3g}-{high * 1e6:<6.3g}"
    )


def ratio(top: str, bottom: str) -> float:
    """Median of the round-by-round ratios, printed with their middle half."""
    value, (low, high) = benchmark.round_ratio(by_method[top], by_method[bottom])
    print(f"{top} / {bottom}: {value:.3g} (middle half {low:.3g}-{high:.3g})")
    return value


# %%
# A custom Function costs about what plain autograd costs: both record a
# graph and replay it, and the ratio stays within a factor of two, far from
# the gains below.
same = ratio("function", "autograd")
# within a factor of two, not a third: a busy machine has measured 1.6 even as a
# median of one-thread rounds, and the gains below are 4 and more
assert 0.5 < same < 2, f"a custom Function took {same:.2f} times plain autograd"

# %%
# Writing the gradients by hand is where the first large gain comes from:
# the fused step is several times faster than the tutorial's loop, and
# still ten times slower than the floor or more.
fused_gain = ratio("original", "fused")
assert fused_gain > 4, f"the fused step is only {fused_gain:.1f} times faster"
if floor is not None:
    fused_floor = ratio("fused", "floor")
    assert fused_floor > 10, f"the fused step took only {fused_floor:.1f} times the floor"

# %%
# Compiling many steps into one call is the second: ``aot`` is faster than
# the fused step, and the closest of the methods to the floor, where the
# tutorial's loop takes a hundred times longer or more.
aot_gain = ratio("fused", "aot")
assert aot_gain > 1, f"aot took {1 / aot_gain:.2f} times the fused step"
if floor is not None:
    ratio("aot", "floor")
    loop_floor = ratio("original", "floor")
    assert loop_floor > 100, f"the loop took only {loop_floor:.0f} times the floor"

# %%
# What compiling costs
# --------------------
# The steps are fast, but the compile is slow: it takes as long as hundreds
# of thousands of fused steps, or millions (how many depends on the torch
# release and on what its caches already hold). It pays for itself only
# after the number of steps printed below, far more than one fit of the
# tutorial's 2000 steps. Compiling is worth it for code that runs that long,
# or that the same process calls again with data of the same size.
baseline = "fused"
fused_step = by_method[baseline].seconds_per_step
runs = compile_s["aot"] / fused_step
print(f"compiling aot takes as long as {runs:,.0f} {baseline} steps")
assert runs > 1e5, f"compiling aot now costs only {runs:,.0f} fused steps"
for method, seconds in compile_s.items():
    steps = benchmark.break_even(seconds, fused_step, by_method[method].seconds_per_step)
    if math.isinf(steps):
        print(f"{method:>9}: compiling never pays for itself, its step is not faster")
    else:
        print(f"{method:>9}: compiling pays for itself after {steps:,.0f} steps")
    assert steps > 2000, f"{method}'s compile paid for itself within one fit, after {steps:,.0f}"

# %%
# Memory
# ------
# Autograd keeps the intermediate tensors of a step alive until the
# backward pass has used them; the fused step needs only its buffer of three
# rows. The peaks count arrays of the data's size, at a million points.
#
# .. note::
#
#    Torch does not count CPU allocations, so each measurement runs in a
#    fresh Python process and reads the operating system's peak for it.
n_memory = 1_000_000
array_bytes = n_memory * torch.finfo(torch.float32).bits // 8  # the data are float32
for method in ("original", "fused"):
    peak = benchmark.peak_memory(method, n_memory, device=device)
    shown = "not measurable here" if peak is None else f"{peak / array_bytes:.2f} arrays of n"
    print(f"{method:>9}: {shown}")

# %%
# The comparison in one figure
# ----------------------------
# Each bar is the median time of one step; its label divides it by the
# tutorial loop's, so 0.1 means ten times faster. The dashed red line is the
# floor. The axis is logarithmic: each grid line stands for ten times the
# time of the one to its left.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
timed = {row.method: row.seconds_per_step * 1e6 for row in rows if row.method != "floor"}
names = list(timed)
ax.barh(names, [timed[name] for name in names], color="C0", height=0.6)
for i, name in enumerate(names):
    relative = timed[name] / timed["original"]
    ax.annotate(
        f"{relative:.2g}", (timed[name], i), xytext=(4, 0), textcoords="offset points",
        va="center", fontsize=9,
    )  # fmt: skip
title = f"One step on the CPU, {n:,} points, one thread"
lowest = min(timed.values())
if floor is not None:
    floor_time = by_method["floor"].seconds_per_step * 1e6
    ax.axvline(floor_time, color="C3", linestyle="--")
    title += f"\nC floor (dashed): {floor_time:.2g} µs"
    lowest = min(lowest, floor_time)
ax.set_xscale("log")
ax.set_xlim(lowest / 3, max(timed.values()) * 20)  # room for the labels
ax.set(xlabel="µs per step (log scale)", title=title)
ax.invert_yaxis()
ax.grid(True, axis="x", alpha=0.3)
plt.show()

# %%
# What we learned
# ---------------
# * At the tutorial's size almost all of a step is overhead: Python, the
#   dispatcher and autograd, a microsecond or more per tensor operation.
# * Gradients written by hand remove autograd and most operations; a
#   custom Function alone removes nothing.
# * Compiling many steps into one call removes most of what is left, after
#   a compile that pays only for long or repeated runs.
# * Hand-derived gradients are a second implementation to keep correct:
#   ``fit``'s tests check every method against autograd.
#
# .. seealso::
#
#    ``nox -s bench`` prints the full table, at 2000 and 2 000 000 points,
#    with the compile times and peak memory, and checks the project's
#    targets; :doc:`../core/plot_07_compiling` finds when compiling the
#    autograd step pays; :func:`legendre.fit` documents the ``method``
#    argument.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["performance", "benchmark"]
