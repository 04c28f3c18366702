"""Fit Legendre models to data by gradient-based training.

The default run is the original tutorial's loop, reproduced operation for
operation so that its printed losses match to the last digit:
``y_pred = a + b * P3(c + d * x)``, the loss is the sum of squared errors, and
plain gradient descent updates ``a, b, c, d``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from .device import resolve_device
from .functions import LegendrePolynomial3, legendre_basis
from .fused import FusedStep, compiled_step

#: The tutorial's starting point for ``(a, b, c, d)``: close enough to the
#: answer for plain gradient descent with a tiny step to converge.
TUTORIAL_INIT = (0.0, -1.0, 0.0, 0.3)
#: The tutorial's step size for plain gradient descent.
TUTORIAL_LR = 5e-6

OPTIMIZERS = ("sgd", "adam", "lbfgs")
METHODS = ("function", "autograd", "fused", "compiled")
# Methods that replace autograd with the tutorial model's hand-derived gradients.
_ANALYTIC = ("fused", "compiled")

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
                a, b, c, d = theta
                return a + b * LegendrePolynomial3.apply(c + d * x)
            lo, hi = self.domain
            return legendre_basis(_to_window(x, lo, hi), self.degree) @ theta

    def __str__(self) -> str:
        if self.degree is None:
            a, b, c, d = self.coefficients
            return f"y = {a} + {b} * P3({c} + {d} x)"
        return "y = " + " + ".join(f"{w} * P{k}(u)" for k, w in enumerate(self.coefficients))


def _to_window(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    return (2 * x - (lo + hi)) / (hi - lo)


def _p3_for(method: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """P3 as the tutorial computes it (the custom Function), or in plain tensor operations."""
    if method == "function":
        return LegendrePolynomial3.apply

    def p3(z: torch.Tensor) -> torch.Tensor:
        return 0.5 * (5 * z**3 - 3 * z)

    return p3


def _check_data(x: object, y: object) -> None:
    for name, value in (("x", x), ("y", y)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
        if not value.dtype.is_floating_point:
            raise TypeError(f"{name} must have a floating dtype, got {value.dtype}")
        if value.numel() == 0:
            raise ValueError(f"{name} is empty")
    if x.dtype != y.dtype:
        raise TypeError(f"x and y must share a dtype, got x: {x.dtype} and y: {y.dtype}")
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same shape, got x: {tuple(x.shape)} and y: {tuple(y.shape)}"
        )
    if x.device != y.device:
        raise ValueError(f"x and y are on different devices ({x.device} and {y.device})")
    for name, value in (("x", x), ("y", y)):
        # The extremes are NaN or infinite exactly when some value is. aminmax finds
        # them in one pass; isfinite(value).all() would allocate a mask the size of
        # the data first (on two million points, more memory than the fused step).
        if not torch.isfinite(torch.stack(torch.aminmax(value))).all():
            raise ValueError(f"{name} holds inf or NaN values")


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_lr(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"lr must be a real number, got {lr!r}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr!r}")
    return float(lr)


def _check_init(init: object, count: int, model: str) -> tuple[float, ...]:
    if isinstance(init, (str, bytes)) or not isinstance(init, Sequence):
        raise TypeError(f"init must be a sequence of {count} numbers for {model}, got {init!r}")
    if len(init) != count:
        raise ValueError(f"init must hold {count} numbers for {model}, got {len(init)}")
    for value in init:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"init must hold real numbers, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"init must hold finite numbers, got {value!r}")
    return tuple(float(value) for value in init)


def _check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


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
    method : {"function", "autograd", "fused", "compiled"}
        How a step of the tutorial model is computed. ``"function"`` calls
        the custom :class:`LegendrePolynomial3`; ``"autograd"`` writes
        :math:`P_3` with plain tensor operations that autograd differentiates
        itself. ``"fused"`` skips autograd: it evaluates hand-derived
        gradients into one preallocated ``(3, n)`` buffer and updates
        the parameters in place: roughly ten times faster at the tutorial's size.
        ``"compiled"`` hands that step to :func:`torch.compile` (the first
        step compiles for seconds; on the CPU it needs a C++ compiler). All
        four follow the same trajectory, up to rounding. The last two apply
        only to the tutorial model with ``optimizer="sgd"``.

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
    _check_data(x, y)
    steps = _check_int("steps", steps, 0)
    if log_every is not None:
        log_every = _check_int("log_every", log_every, 1)
    if degree is not None:
        degree = _check_int("degree", degree, 0)
    optimizer = _check_choice("optimizer", optimizer, OPTIMIZERS)
    method = _check_choice("method", method, METHODS)
    if method in _ANALYTIC and (degree is not None or optimizer != "sgd"):
        raise ValueError(
            f"method={method!r} computes the gradients of the tutorial model by hand: it "
            f"needs degree=None and optimizer='sgd' (got degree={degree!r}, "
            f"optimizer={optimizer!r}); use method='function' or 'autograd'"
        )
    lr = _DEFAULT_LR[optimizer] if lr is None else _check_lr(lr)
    if degree is None:
        init = _check_init(TUTORIAL_INIT if init is None else init, 4, "a + b * P3(c + d x)")
    else:
        count = degree + 1
        init = _check_init((0.0,) * count if init is None else init, count, f"degree {degree}")
    if device is not None:
        target = resolve_device(device)
        x, y = x.to(target), y.to(target)
    x, y = x.detach(), y.detach()

    # Autograd needs grad mode and ordinary tensors, even when fit is called under
    # torch.no_grad() or torch.inference_mode(); the hand-derived steps need neither,
    # and inference mode spares them the version counting autograd would still do.
    with torch.inference_mode(method in _ANALYTIC):
        if method not in _ANALYTIC:
            # inference tensors cannot be saved for the backward pass
            x, y = (t.clone() if t.is_inference() else t for t in (x, y))
        params, domain, history = _setup_and_train(
            x, y, method, optimizer, degree, init, lr, steps, log_every
        )
    coefficients = tuple(v for p in params for v in p.detach().reshape(-1).tolist())
    result = FitResult(
        coefficients=coefficients,
        losses=[(s, history[s]) for s in range(steps) if _logged(s, log_every)],
        history=history,
        degree=degree,
        domain=domain,
    )
    if log_every is not None:
        print(f"Result: {result}")
    return result


def _setup_and_train(
    x: torch.Tensor,
    y: torch.Tensor,
    method: str,
    optimizer: str,
    degree: int | None,
    init: tuple[float, ...],
    lr: float,
    steps: int,
    log_every: int | None,
) -> tuple[list[torch.Tensor], tuple[float, float] | None, list[float]]:
    """Build the model's parameters and step, and train; returns (params, domain, history)."""

    def tensor(value: object) -> torch.Tensor:
        return torch.tensor(value, dtype=x.dtype, device=x.device).requires_grad_()

    if method in _ANALYTIC:
        # One (4,) tensor updated in place; the gradients are written out by hand.
        theta = torch.tensor(init, dtype=x.dtype, device=x.device)
        flat_x, flat_y = x.reshape(-1), y.reshape(-1)
        make_step = FusedStep if method == "fused" else compiled_step
        step_fn = make_step(theta, flat_x, flat_y, lr)
        params, domain = [theta], None
    elif degree is None:
        # Four separate scalars, created like the tutorial's, keep its numbers bit for bit.
        params = [tensor(value) for value in init]
        p3, (a, b, c, d) = _p3_for(method), params
        domain = None

        def loss_fn() -> torch.Tensor:
            return (a + b * p3(c + d * x) - y).pow(2).sum()

    else:
        # The series is linear in its weights: build the basis once, outside the loop.
        domain = (x.min().item(), x.max().item())
        if domain[0] == domain[1]:
            raise ValueError("x must hold at least two distinct values to fit a series")
        basis = legendre_basis(_to_window(x, *domain), degree)
        params = [tensor(init)]

        def loss_fn() -> torch.Tensor:
            return (basis @ params[0] - y).pow(2).sum()

    if method not in _ANALYTIC:
        step_fn = _make_step(optimizer, params, loss_fn, lr)
    return params, domain, _train(step_fn, steps, log_every, lr)


def _make_step(
    optimizer: str,
    params: list[torch.Tensor],
    loss_fn: Callable[[], torch.Tensor],
    lr: float,
) -> Callable[[], torch.Tensor]:
    """One training step: returns the loss *before* the update, detached."""
    if optimizer == "sgd":

        def step() -> torch.Tensor:
            loss = loss_fn()
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None
            return loss.detach()

        return step

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

    def step() -> torch.Tensor:
        return opt.step(closure).detach()

    return step


def _logged(step: int, log_every: int | None) -> bool:
    return log_every is not None and step % log_every == log_every - 1


def _train(
    step_fn: Callable[[], torch.Tensor], steps: int, log_every: int | None, lr: float
) -> list[float]:
    """Run ``steps`` steps, print the logged losses, and stop on divergence.

    Losses stay on the device and are checked in batches, so the loop syncs
    with the host no more often than the tutorial's own ``loss.item()`` calls.
    """
    check_every = log_every or _CHECK_EVERY
    history: list[float] = []
    pending: list[torch.Tensor] = []
    for step in range(steps):
        pending.append(step_fn())
        if step % check_every == check_every - 1 or step == steps - 1:
            values = torch.stack(pending)
            finite = torch.isfinite(values)
            if not bool(finite.all()):
                first = int((~finite).nonzero()[0])
                before = history + values[:first].tolist()
                raise DivergenceError(step - len(pending) + 1 + first, (before or [None])[-1], lr)
            history.extend(values.tolist())
            pending.clear()
            if _logged(step, log_every):
                print(step, history[step])
    return history
