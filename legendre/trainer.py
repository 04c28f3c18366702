"""Fit Legendre models to data by gradient-based training.

The default run is the original tutorial's loop, reproduced operation for
operation so that its printed losses match to the last digit:
``y_pred = a + b * P3(c + d * x)``, the loss is the sum of squared errors, and
plain gradient descent updates ``a, b, c, d``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

import torch

from ._checks import check_choice, check_data, check_init, check_int, check_lr
from .device import resolve_device
from .functions import LegendrePolynomial3, legendre_basis
from .fused import FusedStep, Steps, aot_steps, compiled_step

#: The tutorial's starting point for ``(a, b, c, d)``: close enough to the
#: answer for plain gradient descent with a tiny step to converge.
TUTORIAL_INIT = (0.0, -1.0, 0.0, 0.3)
#: The tutorial's step size for plain gradient descent.
TUTORIAL_LR = 5e-6

OPTIMIZERS = ("sgd", "adam", "lbfgs")

# Step sizes used when ``lr`` is left out. The tutorial's 5e-6 suits plain
# gradient descent on a *summed* loss; Adam normalises its steps, and LBFGS
# searches along a line, so both want much larger values.
_DEFAULT_LR = {"sgd": TUTORIAL_LR, "adam": 1e-2, "lbfgs": 1.0}

# How often (in steps) the loss history is checked for inf/nan when nothing is
# printed. Checking means one host sync, so it is batched rather than per step.
_CHECK_EVERY = 100


class DivergenceError(FloatingPointError):
    """Training stopped because the loss became infinite or NaN.

    Attributes
    ----------
    step : int
        The first step whose loss was not finite.
    """

    def __init__(self, step: int, last_finite: float | None, lr: float):
        self.step = step
        before = (
            f"; the last finite loss was {last_finite:.6g}"
            if last_finite is not None
            else "; no step had a finite loss"
        )
        super().__init__(
            f"the loss stopped being finite at step {step}{before}. "
            f"The step size lr={lr:g} is probably too large for this problem."
        )


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    coefficients : tuple of float
        ``(a, b, c, d)`` of ``a + b * P3(c + d * x)``, or, for a series of
        degree ``n``, the weights ``(w0, ..., wn)`` of ``sum_k wk * Pk(u)``.
    losses : list of (int, float)
        ``(step, loss)`` at every logged step (``step % log_every == log_every - 1``).
    history : list of float
        The loss at every step, for plotting learning curves.
    degree : int or None
        ``None`` for the tutorial model, else the degree of the series.
    domain : tuple of float or None
        For a series, the ``(lo, hi)`` interval of ``x`` that is mapped to
        ``u`` in ``[-1, 1]``, as :meth:`numpy.polynomial.Legendre.fit` does.
    """

    coefficients: tuple[float, ...]
    losses: list[tuple[int, float]] = field(repr=False)
    history: list[float] = field(repr=False)
    degree: int | None = None
    domain: tuple[float, float] | None = None

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Evaluate the fitted model at ``x`` (no gradients are tracked)."""
        with torch.no_grad():
            theta = torch.tensor(self.coefficients, dtype=x.dtype, device=x.device)
            if self.degree is None:
                a, b, c, d = theta.unbind()
                p3: Callable[[torch.Tensor], torch.Tensor] = LegendrePolynomial3.apply
                return a + b * p3(c + d * x)
            assert self.domain is not None  # fit sets it for every series
            lo, hi = self.domain
            return legendre_basis(_to_window(x, lo, hi), self.degree) @ theta

    def __str__(self) -> str:
        if self.degree is None:
            a, b, c, d = self.coefficients
            return f"y = {a} + {b} * P3({c} + {d} x)"
        return "y = " + " + ".join(f"{w} * P{k}(u)" for k, w in enumerate(self.coefficients))


def _to_window(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    return (2 * x - (lo + hi)) / (hi - lo)


#: One training step: it updates the parameters in place and returns the loss
#: *before* the update, detached and left on the device.
Step = Callable[[], torch.Tensor]


def _one_at_a_time(step: Step) -> Steps:
    """Steps from a step: ``count`` calls, their losses stacked."""
    return lambda count: torch.stack([step() for _ in range(count)])


@dataclass(frozen=True)
class _Problem:
    """What a builder needs, every argument checked: the data, the model, the step size."""

    x: torch.Tensor
    y: torch.Tensor
    init: tuple[float, ...]
    lr: float
    optimizer: str
    #: ``None`` for the tutorial model; for a series, its degree and the ``(lo, hi)``
    #: interval of ``x`` that is mapped onto ``[-1, 1]``.
    series: tuple[int, tuple[float, float]] | None


@dataclass(frozen=True)
class _Method:
    """One ``method=`` of :func:`fit`: how it builds the parameters and a ready step."""

    #: Returns the parameters and a function that runs a given number of steps
    #: (see :data:`legendre.fused.Steps`).
    build: Callable[[_Problem], tuple[list[torch.Tensor], Steps]]
    #: The tutorial model's gradients, written out by hand: no autograd (so the step
    #: runs under inference mode), and only plain gradient descent on that one model.
    hand_derived: bool


def _hand_derived(
    make_steps: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], Steps],
) -> _Method:
    """A method that skips autograd: ``make_steps(theta, x, y, lr)`` updates ``theta`` itself."""

    def build(problem: _Problem) -> tuple[list[torch.Tensor], Steps]:
        # One (4,) tensor updated in place; the gradients are written out by hand.
        x, y = problem.x, problem.y
        theta = torch.tensor(problem.init, dtype=x.dtype, device=x.device)
        return [theta], make_steps(theta, x.reshape(-1), y.reshape(-1), problem.lr)

    return _Method(build, hand_derived=True)


def _autograd(p3: Callable[[torch.Tensor], torch.Tensor]) -> _Method:
    """A method whose gradients autograd computes (through ``p3`` for the tutorial model)."""

    def build(problem: _Problem) -> tuple[list[torch.Tensor], Steps]:
        # inference tensors cannot be saved for the backward pass
        x, y = (t.clone() if t.is_inference() else t for t in (problem.x, problem.y))
        if problem.series is None:
            params, loss_fn = _tutorial_loss(x, y, problem.init, p3)
        else:
            params, loss_fn = _series_loss(x, y, problem.init, *problem.series)
        step = _optimizer_step(problem.optimizer, params, loss_fn, problem.lr)
        return params, _one_at_a_time(step)

    return _Method(build, hand_derived=False)


def _p3(z: torch.Tensor) -> torch.Tensor:
    """P3 in plain tensor operations, for autograd to differentiate itself."""
    return 0.5 * (5 * z**3 - 3 * z)


_METHODS = {
    "function": _autograd(LegendrePolynomial3.apply),  # the tutorial's custom Function
    "autograd": _autograd(_p3),
    "fused": _hand_derived(lambda *problem: _one_at_a_time(FusedStep(*problem))),
    "compiled": _hand_derived(lambda *problem: _one_at_a_time(compiled_step(*problem))),
    "aot": _hand_derived(aot_steps),
}
METHODS = tuple(_METHODS)


def fit(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int = 2000,
    lr: float | None = None,
    init: Sequence[float] | None = None,
    log_every: int | None = 100,
    device: str | torch.device | None = None,
    degree: int | None = None,
    optimizer: str = "sgd",
    method: str = "function",
) -> FitResult:
    r"""Fit ``y ≈ model(x)`` by minimising the sum of squared errors.

    With the defaults this is the original tutorial, step for step: the model
    :math:`a + b P_3(c + d x)` with :class:`LegendrePolynomial3`, started at
    ``(0, -1, 0, 0.3)`` and trained by 2000 steps of plain gradient descent
    with step size ``5e-6``.

    Parameters
    ----------
    x, y : torch.Tensor
        Inputs and targets: floating tensors of one shape, dtype and device.
    steps : int
        Number of optimizer steps (``0`` returns the starting point).
    lr : float, optional
        Step size. Defaults to the tutorial's ``5e-6`` for ``"sgd"``,
        ``1e-2`` for ``"adam"`` and ``1.0`` for ``"lbfgs"``.
    init : sequence of float, optional
        Starting coefficients: four numbers ``(a, b, c, d)`` for the tutorial
        model (default ``(0.0, -1.0, 0.0, 0.3)``), ``degree + 1`` weights for
        a series (default all zero).
    log_every : int or None
        Print ``step loss`` whenever ``step % log_every == log_every - 1``, then
        a ``Result:`` line, exactly as the tutorial does. ``None`` is silent.
    device : str or torch.device, optional
        Where to train; ``x`` and ``y`` are moved there. Defaults to ``x``'s
        device (see :func:`legendre.default_device` to pick the best one).
    degree : int, optional
        ``None`` fits the tutorial model. An integer ``n`` fits the series
        :math:`\sum_{k=0}^{n} w_k P_k(u)` where ``u`` maps ``[min x, max x]``
        onto ``[-1, 1]`` (as :meth:`numpy.polynomial.Legendre.fit` does).
    optimizer : {"sgd", "adam", "lbfgs"}
        ``"sgd"`` is the tutorial's hand-written update ``p -= lr * p.grad``;
        the others are :class:`torch.optim.Adam` and :class:`torch.optim.LBFGS`
        (with a strong-Wolfe line search).
    method : {"function", "autograd", "fused", "compiled", "aot"}
        How a step of the tutorial model is computed. ``"function"`` calls
        the custom :class:`LegendrePolynomial3`; ``"autograd"`` writes
        :math:`P_3` with plain tensor operations that autograd differentiates
        itself. ``"fused"`` skips autograd: it evaluates hand-derived
        gradients into one preallocated ``(3, n)`` buffer and updates
        the parameters in place: roughly ten times faster at the tutorial's size.
        ``"compiled"`` hands that step to :func:`torch.compile` (the first
        step compiles for seconds; on the CPU it needs a C++ compiler).
        ``"aot"`` compiles that step ahead of time (AOTInductor), twenty
        steps in a row on small data, and runs them in one call, which leaves
        Python and the dispatcher out of all but one step in twenty: the
        fastest method, after a compile of a minute or more (once per
        process, data size, dtype and device). All five follow the same
        trajectory, up to rounding, and report divergence at the same step.
        The last three apply only to the tutorial model with ``optimizer="sgd"``.

    Returns
    -------
    FitResult

    Raises
    ------
    TypeError, ValueError
        For malformed arguments; the message names the argument.
    DivergenceError
        If the loss becomes infinite or NaN; the message names the first such step.
    """
    x, y = check_data(x, y)
    steps = check_int("steps", steps, 0)
    if log_every is not None:
        log_every = check_int("log_every", log_every, 1)
    if degree is not None:
        degree = check_int("degree", degree, 0)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    chosen = _METHODS[check_choice("method", method, METHODS)]
    if chosen.hand_derived and (degree is not None or optimizer != "sgd"):
        raise ValueError(
            f"method={method!r} computes the gradients of the tutorial model by hand: it "
            f"needs degree=None and optimizer='sgd' (got degree={degree!r}, "
            f"optimizer={optimizer!r}); use method='function' or 'autograd'"
        )
    lr = _DEFAULT_LR[optimizer] if lr is None else check_lr(lr)
    if degree is None:
        start = check_init(TUTORIAL_INIT if init is None else init, 4, "a + b * P3(c + d x)")
    else:
        count = degree + 1
        start = check_init((0.0,) * count if init is None else init, count, f"degree {degree}")
    if device is not None:
        target = resolve_device(device)
        x, y = x.to(target), y.to(target)
    x, y = x.detach(), y.detach()
    series = None if degree is None else (degree, _domain(x))

    # Autograd needs grad mode and ordinary tensors, even when fit is called under
    # torch.no_grad() or torch.inference_mode(); the hand-derived steps need neither,
    # and inference mode spares them the version counting autograd would still do.
    with torch.inference_mode(chosen.hand_derived):
        params, run = chosen.build(_Problem(x, y, start, lr, optimizer, series))
        try:
            history = _train(run, steps, log_every)
        except _NotFinite as stop:
            raise DivergenceError(stop.step, stop.last_finite, lr) from None
    coefficients = tuple(v for p in params for v in p.detach().reshape(-1).tolist())
    result = FitResult(
        coefficients=coefficients,
        losses=[(s, history[s]) for s in _logged_steps(steps, log_every)],
        history=history,
        degree=degree,
        domain=None if series is None else series[1],
    )
    if log_every is not None:
        print(f"Result: {result}")
    return result


def _domain(x: torch.Tensor) -> tuple[float, float]:
    """The ``(lo, hi)`` of ``x`` that a series maps onto ``[-1, 1]``."""
    lo, hi = x.min().item(), x.max().item()
    if lo == hi:
        raise ValueError("x must hold at least two distinct values to fit a series")
    return lo, hi


def _tutorial_loss(
    x: torch.Tensor,
    y: torch.Tensor,
    init: tuple[float, ...],
    p3: Callable[[torch.Tensor], torch.Tensor],
) -> tuple[list[torch.Tensor], Callable[[], torch.Tensor]]:
    """The tutorial model's parameters and its summed squared error."""
    # Four separate scalars, created like the tutorial's, keep its numbers bit for bit.
    params = [
        torch.tensor(value, dtype=x.dtype, device=x.device).requires_grad_() for value in init
    ]
    a, b, c, d = params

    def loss_fn() -> torch.Tensor:
        return (a + b * p3(c + d * x) - y).pow(2).sum()

    return params, loss_fn


def _series_loss(
    x: torch.Tensor,
    y: torch.Tensor,
    init: tuple[float, ...],
    degree: int,
    domain: tuple[float, float],
) -> tuple[list[torch.Tensor], Callable[[], torch.Tensor]]:
    """A series' weights, as one tensor, and its summed squared error."""
    # The series is linear in its weights: build the basis once, outside the loop.
    basis = legendre_basis(_to_window(x, *domain), degree)
    weights = torch.tensor(init, dtype=x.dtype, device=x.device).requires_grad_()

    def loss_fn() -> torch.Tensor:
        return (basis @ weights - y).pow(2).sum()

    return [weights], loss_fn


def _optimizer_step(
    optimizer: str,
    params: list[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    lr: float,
) -> Callable[[], torch.Tensor]:
    """One training step: returns the loss *before* the update, detached."""
    if optimizer == "sgd":

        def sgd_step() -> torch.Tensor:
            loss = loss_fn()
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * cast(torch.Tensor, p.grad)  # backward() has just set it
                    p.grad = None
            return loss.detach()

        return sgd_step

    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(params, lr=lr)
    else:
        # Tolerances far below the defaults: stop at the least-squares optimum, not near it.
        opt = torch.optim.LBFGS(
            params,
            lr=lr,
            line_search_fn="strong_wolfe",
            tolerance_grad=1e-12,
            tolerance_change=1e-15,
        )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    def optimizer_step() -> torch.Tensor:
        # torch annotates a closure's loss as a float, but Adam and LBFGS return whatever
        # the closure returned: here, the loss tensor
        loss: torch.Tensor = opt.step(closure)  # type: ignore[arg-type,assignment]
        return loss.detach()

    return optimizer_step


def _logged_steps(steps: int, log_every: int | None) -> range:
    """The steps below ``steps`` that :func:`_logged` is true of, without asking each one."""
    return range(0) if log_every is None else range(log_every - 1, steps, log_every)


def _logged(step: int, log_every: int | None) -> bool:
    return log_every is not None and step % log_every == log_every - 1


class _NotFinite(Exception):
    """:func:`_train` stopped at ``step``: :func:`fit` turns this into a DivergenceError."""

    def __init__(self, step: int, last_finite: float | None):
        super().__init__(step, last_finite)
        self.step, self.last_finite = step, last_finite


def _train(run: Steps, steps: int, log_every: int | None) -> list[float]:
    """Run ``steps`` steps, print the logged losses, and stop at the first loss not finite.

    ``run(count)`` runs ``count`` steps and returns their losses. It is asked
    for the steps up to the next check, so losses stay on the device in
    between and the loop syncs with the host no more often than the
    tutorial's own ``loss.item()`` calls. Every step's loss is checked, so a
    divergence is reported at its exact step however many steps a call runs.
    """
    check_every = log_every or _CHECK_EVERY
    history: list[float] = []
    while len(history) < steps:
        done = len(history)
        count = min(check_every - done % check_every, steps - done)
        values = run(count)
        finite = torch.isfinite(values)
        if not bool(finite.all()):
            first = int((~finite).nonzero()[0])
            before = history + values[:first].tolist()
            raise _NotFinite(done + first, before[-1] if before else None)
        history.extend(values.tolist())
        last = done + count - 1
        if _logged(last, log_every):
            print(last, history[last])
    return history
