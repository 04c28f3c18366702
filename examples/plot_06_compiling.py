r"""
Compiling a training step
=========================

:func:`torch.compile` traces Python code into a graph, and its default
backend, Inductor, generates fused kernels for it: C++ on the CPU, Triton on
a GPU. A custom :class:`torch.autograd.Function` is no obstacle: the tracer
follows its ``forward`` and ``backward`` and fuses them with the code around
them.

Compiling is an investment. The first call pays for tracing and code
generation; every later call saves the difference between the eager and the
compiled step. This page measures both on the tutorial's loss,
:math:`\sum_i \big(a + b\,P_3(c + d x_i) - y_i\big)^2`, for a small and a large
data set, and finds the number of steps after which compiling pays.

.. note::

   Every time on this page was measured on the machine that built it, while
   the page was built. Other hardware, other loads and a warm compile cache
   give other numbers; the shape of the story is what carries over.
"""

# %%
# Device and model
# ----------------
# The loss uses :class:`legendre.LegendrePolynomial3`, the Function of the
# first example. The training step is the tutorial's: evaluate the loss,
# backpropagate, move each of the four parameters. Only the loss (its forward
# and backward pass) is compiled; the update of four scalars is cheap in
# eager mode.
import math

import torch

import legendre

device = legendre.default_device()
print(f"Running on: {device}")

P3 = legendre.LegendrePolynomial3.apply


def loss_fn(params, x, y):
    a, b, c, d = params
    return (a + b * P3(c + d * x) - y).pow(2).sum()


def train_step(loss, params, x, y, lr=1e-9):
    # lr is tiny so that many steps on a large data set stay finite: we time steps here,
    # we do not train to convergence.
    value = loss(params, x, y)
    value.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    return value.detach()


def tutorial_start():
    return [torch.tensor(v, device=device, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]


# %%
# A fair stopwatch
# ----------------
# GPU work runs asynchronously, so on CUDA the clock is read only after
# ``torch.cuda.synchronize()``. The steady-state step time is the median of
# five blocks of ten steps, which shrugs off a hiccup of the machine.
import statistics
import time


def seconds_per_step(steps, loss, params, x, y):
    """Wall-clock seconds per training step, over ``steps`` steps."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        train_step(loss, params, x, y)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def steady(loss, params, x, y):
    return statistics.median(seconds_per_step(10, loss, params, x, y) for _ in range(5))


# %%
# Measuring eager and compiled
# ----------------------------
# Two sizes: the tutorial's 2000 points, and a hundred times more (modest, so
# that the page builds in well under a minute). For each we time eager steps,
# reset the compiler, time the first compiled call (tracing and code
# generation included) and the steady state after it, and check that both
# modes compute the same loss.
#
# Two caveats make the first call's time an upper bound on a rerun: the first
# size also pays the compiler's one-off start-up in this process, and the
# generated code is cached on disk, so a machine that compiled the same code
# before (say, for an earlier build of this page) finds much of it ready.
#
# On the CPU both modes get one thread: generated kernels spread their loops
# over every thread torch allows, and on a busy machine (such as the one
# building these pages) waiting for a descheduled thread can cost more than
# the loop. One thread measures the code, not the scheduler.
sizes = {"2 000 points": 2_000, "200 000 points": 200_000}
timings = {}
threads = torch.get_num_threads()
if device.type == "cpu":
    torch.set_num_threads(1)
for label, n in sizes.items():
    x = torch.linspace(-math.pi, math.pi, n, device=device)
    y = torch.sin(x)
    eager = steady(loss_fn, tutorial_start(), x, y)

    torch.compiler.reset()
    compiled_loss = torch.compile(loss_fn, fullgraph=True)
    params = tutorial_start()
    first = seconds_per_step(1, compiled_loss, params, x, y)
    compiled = steady(compiled_loss, params, x, y)

    same = torch.allclose(compiled_loss(tutorial_start(), x, y), loss_fn(tutorial_start(), x, y))
    timings[label] = (eager, first, compiled)
    print(
        f"{label}: eager {eager * 1e3:.3f} ms/step, first compiled call {first:.2f} s, "
        f"compiled {compiled * 1e3:.3f} ms/step, same loss: {same}"
    )
torch.set_num_threads(threads)  # leave the process as we found it

# %%
# When does it pay?
# -----------------
# Running :math:`k` steps costs :math:`k\,t_\text{eager}` in eager mode and
# about :math:`t_\text{first} + (k - 1)\,t_\text{compiled}` compiled. The two
# meet at the break-even point
# :math:`k^* = (t_\text{first} - t_\text{compiled}) / (t_\text{eager} - t_\text{compiled})`,
# and only if a compiled step is faster at all.
for label, (eager, first, compiled) in timings.items():
    if compiled < eager:
        print(f"{label}: compiling pays after {(first - compiled) / (eager - compiled):,.0f} steps")
    else:
        print(f"{label}: compiling never pays here, a compiled step is not faster")

# %%
# The same story as cumulative time for up to 5000 steps, extrapolated from
# the measured times: the compiled line starts high (the first call) and
# climbs slowly; the eager line starts at zero and climbs at its own rate.
import matplotlib.pyplot as plt
import numpy as np

k = np.arange(1, 5001)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
for ax, (label, (eager, first, compiled)) in zip(axes, timings.items(), strict=True):
    ax.plot(k, k * eager, label="eager")
    ax.plot(k, first + (k - 1) * compiled, label="torch.compile")
    if compiled < eager:
        meet = (first - compiled) / (eager - compiled)
        if meet <= k[-1]:
            ax.axvline(meet, color="0.4", linestyle=":", label=f"break-even, {meet:,.0f} steps")
    ax.set(xlabel="training steps", ylabel="cumulative time (s)", title=f"{label} on {device}")
    ax.legend()
fig.suptitle("Total time of eager versus compiled training steps")
plt.show()

# %%
# Reading the result
# ------------------
# On 2000 points a step does little arithmetic: its time goes to launching a
# dozen small operations and to autograd's bookkeeping. Fusing them saves
# little, and the wrapper around the compiled code costs some of that back,
# so the first call's seconds are rarely repaid within a tutorial-sized run.
# On 200 000 points each eager operation reads and writes the whole array;
# the fused kernels pass over it once or twice, which is where compiling pays.
#
# What we learned
# ---------------
# * A custom Function compiles like any other code, forward and backward.
# * Time the first call apart from the steady state: compilation costs
#   seconds, while a step costs micro- to milliseconds.
# * Compile long runs on large tensors; for short runs on small ones, eager
#   mode is usually faster overall.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` builds the Function timed here;
#    :doc:`plot_04_optimizers` compares optimizers on the same model.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["torch.compile", "performance"]
