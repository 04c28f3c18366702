r"""
Compiling a training step
=========================

**You will learn** when :func:`torch.compile` makes a training step with a
custom Function faster.

:func:`torch.compile` traces Python code, custom
:class:`torch.autograd.Function`\ s included, into a graph and generates fused
kernels for it (C++ on the CPU, Triton on a GPU). It is an investment: the
first call pays for tracing and code generation, every later call saves the
difference between an eager and a compiled step. We measure both on the
tutorial's loss :math:`\sum_i \big(a + b\,P_3(c + d x_i) - y_i\big)^2`, for a
small and a large data set, and find when compiling pays.

.. note:: Every time here was measured on the machine that built this page,
   as it did. Other machines give other numbers; the shape of the story holds.
"""

# %%
# Device and model
# ----------------
# The loss uses :class:`legendre.LegendrePolynomial3`; the step is the
# tutorial's. Only the loss (forward and backward) is compiled: the update of
# four scalars is cheap in eager mode.
import math

import torch

import legendre

device = legendre.default_device()
print(f"Running on: {device}")


def loss_fn(params, x, y):
    a, b, c, d = params
    return (a + b * legendre.LegendrePolynomial3.apply(c + d * x) - y).pow(2).sum()


def train_step(loss, params, x, y, lr=1e-9):
    # a tiny lr keeps the many timed steps finite: we time steps, we do not train
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

sync = torch.cuda.synchronize if device.type == "cuda" else lambda: None


def seconds_per_step(steps, loss, params, x, y):
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        train_step(loss, params, x, y)
    sync()
    return (time.perf_counter() - start) / steps


def steady(loss, params, x, y):
    return statistics.median(seconds_per_step(10, loss, params, x, y) for _ in range(5))


# %%
# Measuring eager and compiled
# ----------------------------
# The tutorial's 2000 points, and a hundred times more. For each size we
# time eager steps, reset the compiler, time the first compiled call and the
# steady state, and check that both modes agree.
#
# .. note::
#
#    The first call of the first size includes the compiler's start-up;
#    generated code is cached on disk, so a machine that compiled it before
#    finds much of it ready. On the CPU both modes get one thread: on a busy
#    machine, like the one that builds these pages, generated multi-threaded
#    loops can wait longer for a descheduled thread than they compute. The
#    sizes are modest so that the page builds in under a minute.
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
# :math:`k` steps cost :math:`k\,t_\text{eager}` eager and about
# :math:`t_\text{first} + (k - 1)\,t_\text{compiled}` compiled (extrapolated
# below from the measured times). If a compiled step is faster at all, they
# meet at :math:`k^* = (t_\text{first} - t_\text{compiled}) / (t_\text{eager} - t_\text{compiled})`.
import matplotlib.pyplot as plt
import numpy as np

k = np.arange(1, 5001)
for label, (eager, first, compiled) in timings.items():
    # one figure per size: side by side on a wide screen, stacked on a phone
    fig, ax = plt.subplots(figsize=(4.5, 3.4), layout="constrained")
    ax.plot(k, k * eager, label="eager")
    ax.plot(k, first + (k - 1) * compiled, label="torch.compile")
    if compiled < eager:
        meet = (first - compiled) / (eager - compiled)
        print(f"{label}: a compiled step takes {compiled / eager:.2f} times the eager step's "
              f"time; compiling pays after {meet:,.0f} steps")  # fmt: skip
        if meet <= k[-1]:
            ax.axvline(meet, color="0.4", linestyle=":", label=f"break-even, {meet:,.0f} steps")
    else:
        print(f"{label}: compiling never pays here, a compiled step is not faster "
              f"({compiled / eager:.2f} times the eager step's time)")  # fmt: skip
    ax.set(
        xlabel="training steps",
        ylabel="cumulative time (s)",
        title=f"Total time of eager and compiled\nsteps, {label} on {device}",
    )
    ax.legend()
plt.show()

# %%
# What we learned
# ---------------
# * A custom Function compiles like any other code, forward and backward.
# * Time the first call (seconds) apart from the steady state (milliseconds).
# * A step on 2000 points is mostly fixed overhead (Python, dispatch,
#   autograd), which compiling can trim but not remove, so the gain there is
#   small or none: the verdict printed for 2 000 points above says which, for
#   the machine that built this page. On 200 000 points each eager operation
#   rereads the whole array, which fused kernels avoid. Compile long runs on
#   large tensors.
#
# .. seealso::
#
#    :doc:`plot_01_custom_function` builds the Function timed here;
#    :doc:`plot_06_function_transforms` applies ``torch.func`` transforms to it.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["torch.compile", "performance"]
