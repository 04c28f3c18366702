r"""
Compiling a training step, and a custom operator
================================================

**You will learn** what :func:`torch.compile` costs the first time and every
time after, when compiling a training step with a custom Function pays, why
the compiler cannot see into NumPy's Legendre module, and how
:func:`torch.library.custom_op` keeps such code in one graph.

:func:`torch.compile` traces Python code, custom
:class:`torch.autograd.Function`\ s included, into a graph of torch
operations and generates fused kernels for it (C++ on the CPU, Triton on a
GPU). The first call pays for that; every later call saves the difference
between an eager and a compiled step. We measure both on the tutorial's loss
:math:`\sum_i \big(a + b\,P_3(c + d x_i) - y_i\big)^2`, on the machine
that built this page: other machines give other numbers.
"""

# %%
# Device and model
# ----------------
# The loss uses :class:`legendre.LegendrePolynomial3`; the step is the
# tutorial's. Only the loss (forward and backward) is compiled: the update of
# four scalars is cheap in eager mode.
import math

import torch

# This page needs torch 2.7 or newer: older ones refuse its custom operator.
if torch.__version__ < "2.7":  # torch.__version__ compares as a version, not as text
    raise SystemExit(f"This example needs torch 2.7 or newer, not {torch.__version__}.")

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
# On CUDA the clock is read only after ``torch.cuda.synchronize()``, since GPU
# work runs asynchronously. On the CPU every time is taken on one thread,
# which other work on a busy machine disturbs least. A step time is the
# median of five blocks of ten steps, printed with the fastest and slowest.
import statistics
import time

sync = torch.cuda.synchronize if device.type == "cuda" else lambda: None
threads = torch.get_num_threads()
torch.set_num_threads(1)  # restored at the end of the page


def seconds_per_step(steps, loss, params, x, y):
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        train_step(loss, params, x, y)
    sync()
    return (time.perf_counter() - start) / steps


def step_time(loss, params, x, y):
    blocks = [seconds_per_step(10, loss, params, x, y) for _ in range(5)]
    return statistics.median(blocks), min(blocks), max(blocks)


# %%
# Eager and compiled steps
# ------------------------
# The tutorial's 2000 points, and a hundred times more, in both modes (which
# give the same loss).
sizes = {"2 000 points": 2_000, "200 000 points": 200_000}
steps = {}
for label, n in sizes.items():
    x = torch.linspace(-math.pi, math.pi, n, device=device)
    y = torch.sin(x)
    # dynamic=False: kernels for this one size, as a new process makes them
    compiled_loss = torch.compile(loss_fn, fullgraph=True, dynamic=False)
    train_step(compiled_loss, tutorial_start(), x, y)  # compiles
    steps[label] = (
        step_time(loss_fn, tutorial_start(), x, y),
        step_time(compiled_loss, tutorial_start(), x, y),
    )
    assert torch.allclose(compiled_loss(tutorial_start(), x, y), loss_fn(tutorial_start(), x, y))
    modes = ("eager steps", "compiled steps")
    for mode, (median, fastest, slowest) in zip(modes, steps[label], strict=True):
        print(f"{label}, {mode}: {median * 1e3:.3f} ms/step "
              f"({fastest * 1e3:.3f} to {slowest * 1e3:.3f})")  # fmt: skip

# %%
# The first call, cold and warm
# -----------------------------
# ``torch.compile`` also keeps what it made on disk, for later processes:
# in ``TORCHINDUCTOR_CACHE_DIR``, ``TRITON_CACHE_DIR`` and the system's
# temporary folder (precompiled C++ headers). A *cold* start, a script's
# first run, finds them empty; a *warm* start, its next run, finds them
# filled. ``FIRST_STEP`` times one compiled step in a new process: twice
# cold, with new folders, each followed by a warm run.
import os
import subprocess
import sys
import tempfile

FIRST_STEP = """
import sys, time
import torch
from legendre import LegendrePolynomial3
device, n = torch.device(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)
x = torch.linspace(-torch.pi, torch.pi, n, device=device)
y = torch.sin(x)
a, b, c, d = (torch.tensor(v, device=device, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
loss = torch.compile(lambda: (a + b * LegendrePolynomial3.apply(c + d * x) - y).pow(2).sum())
start = time.perf_counter()
loss().backward()
torch.cuda.synchronize() if device.type == "cuda" else None
print(time.perf_counter() - start)
"""


def first_step(cache_folder):
    """Seconds of the first compiled step in a new process that uses ``cache_folder``."""
    environment = {
        **os.environ,
        "TMPDIR": cache_folder,
        "TORCHINDUCTOR_CACHE_DIR": os.path.join(cache_folder, "inductor"),
        "TRITON_CACHE_DIR": os.path.join(cache_folder, "triton"),
    }
    command = [sys.executable, "-c", FIRST_STEP, str(device), "2000"]
    run = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return float(run.stdout.split()[-1])


cold, warm = [], []
for _ in range(2):
    with tempfile.TemporaryDirectory() as cache_folder:
        cold.append(first_step(cache_folder))
        warm.append(first_step(cache_folder))
first = {"cold start": statistics.median(cold), "warm start": statistics.median(warm)}
for start, times in zip(first, (cold, warm), strict=True):
    print(f"first step, {start}: {first[start]:.1f} s ({min(times):.1f} to {max(times):.1f})")
assert first["cold start"] > first["warm start"]  # the prose below relies on it

# %%
# The cold start costs more than the warm one, which skips generating and
# compiling the kernels but still traces the Python code. Another number
# of points means another compile, of the same code, so these times serve
# both sizes.
#
# When does it pay?
# -----------------
# :math:`k` steps cost :math:`k\,t_\text{eager}` eager and about
# :math:`t_\text{first} + (k - 1)\,t_\text{compiled}` compiled. If a compiled
# step is faster at all, they meet at
# :math:`k^* = (t_\text{first} - t_\text{compiled}) / (t_\text{eager} - t_\text{compiled})`
# steps: a number for a cold start and one for a warm start.
import matplotlib.pyplot as plt
import numpy as np

k = np.geomspace(1, 1e7, 200)
for label, ((eager, *_), (compiled, *_)) in steps.items():
    fig, ax = plt.subplots(figsize=(4.5, 3.4), layout="constrained")
    ax.loglog(k, k * eager, color="0.3", label="eager")
    for start, color in zip(first, ("C3", "C0"), strict=True):
        ax.loglog(k, first[start] + (k - 1) * compiled, color=color, label=f"compiled, {start}")
        if compiled < eager:
            meet = (first[start] - compiled) / (eager - compiled)
            print(f"{label}, {start}: compiling pays after {meet:,.0f} steps")
        else:
            print(f"{label}, {start}: compiling never pays, a compiled step is not faster")
    ax.set(xlabel="training steps", ylabel="total time (s)", title=f"{label} on {device}")
    ax.legend()
plt.show()

# %%
# A step on 2000 points is mostly fixed overhead (Python, autograd), which
# compiling cannot remove: the lines above say whether it pays there. On
# 200 000 points each eager operation rereads the whole array, which fused
# kernels avoid, and the compiled step is faster:
(eager, *_), (compiled, *_) = steps["200 000 points"]
assert compiled < eager
torch.set_num_threads(threads)

# %%
# What the compiler cannot see: NumPy's Legendre module
# -----------------------------------------------------
# The compiler's front end, *dynamo*, reads the Python code. When it meets
# something it cannot put into the graph, it ends the graph there, runs that
# call as ordinary Python, and starts a new graph after it: a *graph break*.
# ``torch._dynamo.explain`` counts graphs and breaks without compiling.
#
# Dynamo translates many NumPy calls into torch operations: ``np.sin`` on an
# array made from a tensor stays in the graph. It does not trace into
# ``numpy.polynomial``, whose functions are plain Python over arrays: it
# skips them, on purpose.
import re

import torch._dynamo
from numpy.polynomial import legendre as npleg

P3 = [0.0, 0.0, 0.0, 1.0]  # P3 as a Legendre series
points = torch.linspace(-1, 1, 9, dtype=torch.float64)


def with_sin(t):
    return torch.from_numpy(np.sin(t.numpy())).sum()


def with_legval(t):
    return torch.from_numpy(npleg.legval(t.numpy(), P3)).sum()


for function in (with_sin, with_legval):
    report = torch._dynamo.explain(function)(points)
    print(f"{function.__name__}: graphs {report.graph_count}, breaks {report.graph_break_count}")
    for reason in report.break_reasons:  # its first line, and the function it skipped
        skipped = re.search(r"module:\s([\w.]+),\squalname:\s(\w+)", reason.reason)
        print(f"  why: {reason.reason.splitlines()[0]} ({'.'.join(skipped.groups())})")
assert torch._dynamo.explain(with_sin)(points).graph_break_count == 0
assert skipped.groups() == ("numpy.polynomial.legendre", "legval")

# %%
# A custom operator: ``torch.library.custom_op``
# ----------------------------------------------
# :func:`torch.library.custom_op` turns a Python function into a torch
# operator, ``torch.ops.legendre_examples.legval``, which the compiler keeps
# as one opaque step of its graph. The type hints are required: they become
# the operator's *schema*, the signature torch records for it.
# ``mutates_args=()`` promises that no input is changed in place. The body is
# the NumPy call used before (:doc:`plot_04_when_to_write_one`).
#
# The compiler traces with *fake tensors*, which have a shape, a dtype and a
# device but no values; ``register_fake`` says what the operator returns
# for them, without running NumPy.


@torch.library.custom_op("legendre_examples::legval", mutates_args=())
def legval(x: torch.Tensor, coefficients: list[float]) -> torch.Tensor:
    values = np.asarray(npleg.legval(x.detach().cpu().numpy(), coefficients))
    return torch.from_numpy(values).to(device=x.device, dtype=x.dtype)


@legval.register_fake
def _(x, coefficients):
    return torch.empty_like(x)


# %%
# ``register_autograd`` plays the part of a Function's ``setup_context``
# and ``backward``. As on that page, the backward pass calls the operator
# itself, with the derivative's coefficients.
def save_for_legval_backward(ctx, inputs, output):
    x, coefficients = inputs
    ctx.save_for_backward(x)
    ctx.derivative = npleg.legder(coefficients).tolist()


def legval_backward(ctx, grad_output):
    (x,) = ctx.saved_tensors
    return grad_output * legval(x, ctx.derivative), None


legval.register_autograd(legval_backward, setup_context=save_for_legval_backward)

# %%
# Through the operator, a sum of squares compiles with ``fullgraph=True``,
# which turns any graph break into an error, and gives the eager value and
# gradient, which is :math:`2 P_3 P_3'`.


def total(t):
    return legval(t, P3).pow(2).sum()


t = points.clone().requires_grad_()
(compiled_gradient,) = torch.autograd.grad(value := torch.compile(total, fullgraph=True)(t), t)
(eager_gradient,) = torch.autograd.grad(eager_value := total(t), t)
print(f"compiled {value.item():.6f}, eager {eager_value.item():.6f}")
assert torch.allclose(value, eager_value)
assert torch.allclose(compiled_gradient, eager_gradient)
p3 = legendre.LegendrePolynomial3.apply(points)
assert torch.allclose(eager_gradient, 2 * p3 * 1.5 * (5 * points**2 - 1))

# %%
# :func:`torch.library.opcheck` tests the registrations through the
# *dispatcher*, torch's table that sends each call of an operator to the code
# registered for the case at hand (a device, autograd, fake tensors). It
# checks the schema, compares fake and real results, checks that an autograd
# formula is registered, and compares compiled with eager results, gradients
# included. It does not check that the formula is right: ``gradcheck``
# (:doc:`plot_02_checking_backward`) does, last.
checks = torch.library.opcheck(legval, (t, P3))
for test, outcome in checks.items():
    print(f"{test}: {outcome}")
assert set(checks.values()) == {"SUCCESS"}
print("gradcheck:", torch.autograd.gradcheck(lambda s: legval(s, P3), (t,)))

# %%
# Two limits, checked on this torch
# ---------------------------------
# Two limits hold on torch 2.13, where this page was checked; the page
# asserts both, so its build fails when a torch release lifts one.
#
# First, the autograd formula a custom operator registers does not work
# under the :mod:`torch.func` transforms, not even ``grad``: this is the
# open PyTorch issue `#168393
# <https://github.com/pytorch/pytorch/issues/168393>`_. The message says
# *functorch*, the project ``torch.func`` grew from.
from torch.func import grad

print(f"torch {torch.__version__}")
try:
    grad(lambda point: legval(point, P3))(points[0])
except RuntimeError as error:
    message = str(error)
else:
    raise AssertionError("torch.func.grad now works on a custom operator: reword this section")
print(f"raises RuntimeError: {message.split('. ')[0]}")
assert "functorch" in message

# %%
# Second, the compiler does not trace a Function that has a ``jvp``
# staticmethod, the forward-mode rule (:doc:`plot_06_function_transforms`),
# when an input requires a gradient: it breaks the graph there. That is why
# :class:`legendre.LegendrePolynomial` defines no ``jvp``.


class ForwardLegendre(legendre.LegendrePolynomial):
    @staticmethod
    def setup_context(ctx, inputs, output):
        legendre.LegendrePolynomial.setup_context(ctx, inputs, output)
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def jvp(ctx, x_tangent, n_tangent):
        return legendre.LegendrePolynomial.backward(ctx, x_tangent)[0]


try:
    torch.compile(lambda t: ForwardLegendre.apply(t, 5).sum(), fullgraph=True)(t)
except torch._dynamo.exc.Unsupported as error:
    print(f"raises Unsupported: {str(error).splitlines()[0]}")
else:
    raise AssertionError("torch.compile now traces a Function with jvp: reword this section")

# %%
# So choose by what the code around it uses: for :mod:`torch.func`, an
# ``autograd.Function`` with a ``vmap`` rule; for :func:`torch.compile`, a
# custom operator.
#
# What we learned
# ---------------
# * A custom Function compiles like any other code, forward and backward.
# * The first call costs seconds, more on a cold start (new process, empty
#   caches) than on a warm one: count the steps before it pays.
# * Compiling pays on large tensors; on small ones a step's fixed overhead
#   remains.
# * Dynamo translates many NumPy calls but skips ``numpy.polynomial``: a
#   graph break. :func:`torch.library.custom_op`, with ``register_fake`` and
#   ``register_autograd``, keeps such code in one graph, and
#   :func:`torch.library.opcheck` tests it.
#
# .. seealso::
#
#    The PyTorch tutorial `Custom Python operators
#    <https://docs.pytorch.org/tutorials/advanced/python_custom_ops.html>`_;
#    the ``torch.compile`` guide to `compile-time caching
#    <https://docs.pytorch.org/tutorials/recipes/torch_compile_caching_tutorial.html>`_.

# sphinx_gallery_thumbnail_number = 1
# sphinx_gallery_tags = ["torch.compile", "torch.library", "performance"]
