"""Argument checks shared by the package: each raises a message that names the argument.

Every public entry point (:func:`legendre.fit`, :class:`legendre.LegendrePolynomial`,
:func:`legendre.benchmark.run`) checks its arguments here, so that one mistake reads
the same wherever it is made. A check returns the value in its plain Python type.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import torch


def check_int(name: str, value: object, minimum: int, *, show_type: bool = False) -> int:
    """``value`` as an ``int`` of at least ``minimum`` (``bool`` and ``2.0`` are refused).

    ``show_type`` adds the type to the message, for arguments where a tensor or a
    NumPy scalar is a likely mistake and its repr alone would not say so.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        shown = f"{value!r} of type {type(value).__name__}" if show_type else repr(value)
        raise TypeError(f"{name} must be an int, got {shown}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_lr(lr: object) -> float:
    """A step size: a finite real number above zero."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"lr must be a real number, got {lr!r}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr!r}")
    return float(lr)


def check_init(init: object, count: int, model: str) -> tuple[float, ...]:
    """Starting coefficients: ``count`` finite real numbers for ``model`` (named in messages)."""
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


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_choices(name: str, values: Sequence[str], choices: Sequence[str]) -> list[str]:
    """``values`` if every one of them is among ``choices``."""
    unknown = [value for value in values if value not in choices]
    if unknown:
        raise ValueError(f"{name} must be among {', '.join(choices)}; got {unknown}")
    return list(values)


def _tensor(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def check_points(x: object) -> torch.Tensor:
    """The points a Legendre polynomial is evaluated at: a real floating tensor."""
    x = _tensor("x", x)
    if not x.dtype.is_floating_point:
        # Integer x would give P_0 and P_1 an integer dtype but P_2 a float one, and no
        # gradients; complex x is outside the real-valued API this module promises.
        raise TypeError(f"x must have a real floating dtype, got {x.dtype}")
    return x


def _data(name: str, value: object) -> torch.Tensor:
    value = _tensor(name, value)
    if not value.dtype.is_floating_point:
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}")
    if value.numel() == 0:
        raise ValueError(f"{name} is empty")
    return value


def check_data(x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Training data: finite floating tensors of one shape, dtype and device."""
    x, y = _data("x", x), _data("y", y)
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
    return x, y
