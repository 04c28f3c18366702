"""What the benchmark runs: the tutorial's problem at any size, and each method as a callable.

The methods are the tutorial's loop as it is written there (``original``), the
``method=`` choices of :func:`legendre.fit` (their list is the trainer's), and
``floor`` (see :mod:`legendre.benchmark.floor`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import cast

import torch

from .. import trainer
from ..functions import LegendrePolynomial3
from ..trainer import TUTORIAL_INIT, TUTORIAL_LR, fit
from .floor import build_floor

#: Everything :func:`legendre.benchmark.run` can time, in table order.
METHODS = ("original", *trainer.METHODS, "floor")
#: The size of the tutorial's problem.
TUTORIAL_N = 2000
#: A size where the data, not the overhead of a step, sets the time.
LARGE_N = 2_000_000


def tutorial_data(n: int, device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """The tutorial's problem at size ``n``: ``sin`` on ``n`` points of ``[-π, π]``, float32."""
    x = torch.linspace(-math.pi, math.pi, n, dtype=torch.float32, device=device)
    return x, torch.sin(x)


def step_size(n: int) -> float:
    """The tutorial's step size rescaled to ``n`` points.

    The loss is a *sum* over the points, so its gradient grows with ``n``;
    scaling the step by ``2000 / n`` keeps the tutorial's trajectory (a step
    of ``5e-6`` diverges within a few steps from about 5000 points on).
    """
    return TUTORIAL_LR * 2000 / n


def default_steps(n: int) -> int:
    """Steps per timed run: the tutorial's whole run of 2000 steps at its size of 2000 points.

    A run is a whole :func:`~legendre.fit`, checks and set-up included, as a
    user would call it; 2000 steps spread that fixed cost as the tutorial
    does. Larger data get fewer steps (at least 20), so that the methods still
    take turns often.
    """
    return max(20, min(2000, 4_000_000 // n))


def original_loop(x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> float:
    """The tutorial's training loop, operation for operation, minus the printing.

    Like the tutorial it reads the loss back to the host every 100 steps; it
    returns the last loss read.
    """
    params = [
        torch.full((), value, dtype=x.dtype, device=x.device, requires_grad=True)
        for value in TUTORIAL_INIT
    ]
    a, b, c, d = params
    last = math.nan
    for t in range(steps):
        p3: Callable[[torch.Tensor], torch.Tensor] = LegendrePolynomial3.apply
        loss = (a + b * p3(c + d * x) - y).pow(2).sum()
        if t % 100 == 99:
            last = loss.item()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * cast(torch.Tensor, p.grad)  # backward() has just set it
                p.grad = None
    return last


def runner(method: str, x: torch.Tensor, y: torch.Tensor, steps: int) -> Callable[[], object]:
    """A run of ``method``: ``steps`` steps on ``x, y`` at :func:`step_size`."""
    lr = step_size(x.numel())
    if method == "original":
        return lambda: original_loop(x, y, steps, lr)
    if method == "floor":
        floor = build_floor()
        if floor is None:
            raise RuntimeError("the floor needs a C compiler (cc or gcc), and none was found")
        return lambda: floor(x, y, steps, lr)
    return lambda: fit(x, y, steps=steps, lr=lr, log_every=None, method=method)
