"""Checks for the exercises at the end of the tutorial's pages.

Each check takes the reader's answer, a :class:`torch.autograd.Function`
subclass, and compares it with an independent oracle: NumPy's
``numpy.polynomial.legendre`` for values and slopes,
:func:`torch.autograd.gradcheck` and :func:`torch.autograd.gradgradcheck` for
the backward pass. It never raises: it returns a :class:`Verdict` whose text
says ``"solved"`` or ``"not solved yet"`` followed by what is still wrong, in
plain words, so that a notebook whose exercise is still a stub runs from top
to bottom.

    >>> print(check_legendre(MyP4, 4))  # doctest: +SKIP
    not solved yet: forward returned None; it should return P4(x) as a tensor
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.autograd.gradcheck import GradcheckError

__all__ = ["Verdict", "check_cubic_and_mask", "check_legendre"]

# Awkward points included: +-1, where formulas with 1 / (x^2 - 1) break, and 0.
POINTS = (-1.0, -0.7, -0.1, 0.0, 0.4, 0.9, 1.0)


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``solved``, and a message that says why in plain words."""

    solved: bool
    message: str

    def __str__(self) -> str:
        return self.message


class _Unsolved(Exception):
    """What is still wrong with an answer; becomes the text of a :class:`Verdict`."""


def _points() -> torch.Tensor:
    return torch.tensor(POINTS, dtype=torch.float64)


def _oracle(degree: int, x: torch.Tensor, derivative: int = 0) -> torch.Tensor:
    """``P_degree`` (or its derivative) at ``x``, from NumPy: independent of torch."""
    # Imported here: the package needs only torch, and NumPy comes with matplotlib,
    # which every page that has an exercise uses.
    import numpy as np
    from numpy.polynomial import legendre as numpy_legendre

    series = np.zeros(degree + 1)
    series[degree] = 1.0
    coefficients = numpy_legendre.legder(series, derivative) if derivative else series
    return torch.from_numpy(numpy_legendre.legval(x.detach().numpy(), coefficients))


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0].rstrip(',')}" if text else type(error).__name__


def _name(function: object) -> str:
    return getattr(function, "__name__", repr(function))


def _check_class(function: object) -> None:
    if not (isinstance(function, type) and issubclass(function, torch.autograd.Function)):
        raise _Unsolved(
            f"expected a subclass of torch.autograd.Function (the class itself, "
            f"not its apply or an instance), got {_name(function)}"
        )


def _apply(function: Any, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The outputs of ``function.apply(x)`` as a tuple of tensors, or what went wrong."""
    try:
        outputs = function.apply(x)
    except Exception as error:  # noqa: BLE001 (any error is what the reader must fix)
        raise _Unsolved(f"calling {_name(function)}.apply(x) raised {_first_line(error)}") from None
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    if not all(isinstance(output, torch.Tensor) for output in outputs):
        shown = ", ".join("None" if output is None else type(output).__name__ for output in outputs)
        raise _Unsolved(f"forward returned {shown}; it should return a tensor")
    if outputs[0].shape != x.shape:
        raise _Unsolved(f"forward returned shape {tuple(outputs[0].shape)} for x of shape "
                        f"{tuple(x.shape)}; it should work point by point")  # fmt: skip
    return outputs


def _compare(what: str, found: torch.Tensor, expected: torch.Tensor, x: torch.Tensor) -> None:
    """Raise with the first point where ``found`` is not ``expected``."""
    wrong = ~torch.isclose(found.detach().to(expected.dtype), expected, rtol=1e-7, atol=1e-9)
    if wrong.any():
        i = int(wrong.nonzero()[0, 0])
        raise _Unsolved(
            f"{what} gives {found[i].item():.6g} at x = {x[i].item():g}, "
            f"where it should be {expected[i].item():.6g}"
        )


def _check_values(function: Any, degree: int) -> None:
    x = _points()
    (value, *_) = _apply(function, x)
    _compare("forward", value, _oracle(degree, x), x)


def _check_slopes(function: Any, degree: int) -> None:
    x = _points().requires_grad_()
    (value, *_) = _apply(function, x)
    if not value.requires_grad:
        raise _Unsolved("the output does not require a gradient: call the Function with apply")
    try:
        (slope,) = torch.autograd.grad(value.sum(), x, allow_unused=True)
    except Exception as error:  # noqa: BLE001
        raise _Unsolved(f"backward raised {_first_line(error)}") from None
    if slope is None:
        raise _Unsolved("backward returned None for x; it should return grad_output * P'(x)")
    _compare("backward", slope, _oracle(degree, x, derivative=1), x)


def _gradchecks(function: Any, second_derivative: bool) -> None:
    def first(t: torch.Tensor) -> torch.Tensor:
        outputs = function.apply(t)
        value: torch.Tensor = outputs[0] if isinstance(outputs, tuple) else outputs
        return value

    x = _points().requires_grad_()
    checks: list[tuple[str, Callable[..., bool]]] = [("gradcheck", torch.autograd.gradcheck)]
    if second_derivative:
        checks.append(("gradgradcheck", torch.autograd.gradgradcheck))
    for name, check in checks:
        try:
            check(first, (x,))
        except GradcheckError as error:
            raise _Unsolved(f"{name} fails: {_first_line(error)}") from None
        except Exception as error:  # noqa: BLE001
            raise _Unsolved(f"{name} raised {_first_line(error)}") from None


def _verdict(function: object, checks: Any, solved: str) -> Verdict:
    try:
        _check_class(function)
        checks()
    except _Unsolved as problem:
        return Verdict(False, f"not solved yet: {problem}")
    return Verdict(True, f"solved: {_name(function)} {solved}")


def check_legendre(function: object, degree: int, *, second_derivative: bool = False) -> Verdict:
    r"""Check a Function that computes :math:`P_n(x)` (its first output, if it has several).

    Its values and slopes are compared with NumPy's Legendre module at a few
    points in double precision, including :math:`\pm 1` and 0; then
    :func:`~torch.autograd.gradcheck` runs, and with ``second_derivative`` also
    :func:`~torch.autograd.gradgradcheck`.

    Parameters
    ----------
    function : type
        The answer: a subclass of :class:`torch.autograd.Function` whose
        ``apply(x)`` takes one tensor.
    degree : int
        The degree :math:`n` it should compute.
    second_derivative : bool
        Whether its backward pass must itself be differentiable.

    Returns
    -------
    Verdict
        ``solved``, and a message that starts with "solved" or "not solved yet".
    """

    def checks() -> None:
        _check_values(function, degree)
        _check_slopes(function, degree)
        _gradchecks(function, second_derivative)

    tests = "gradcheck and gradgradcheck pass" if second_derivative else "gradcheck passes"
    return _verdict(function, checks, f"computes P{degree} and its derivative; {tests}")


def check_cubic_and_mask(function: Any) -> Verdict:
    r"""Check a Function that returns :math:`P_3(x)` and the mask ``P3(x) > 0`` (as floats).

    Beyond the values and the slope (NumPy, :func:`~torch.autograd.gradcheck`),
    the mask must not require a gradient (``ctx.mark_non_differentiable``),
    and changing the input in place after the forward pass must make the
    backward pass raise rather than return a wrong gradient (the input saved
    with ``ctx.save_for_backward``, not kept as an attribute of ``ctx``).
    """

    def checks() -> None:
        x = _points().requires_grad_()
        outputs = _apply(function, x)
        if len(outputs) != 2:
            raise _Unsolved(f"forward returned {len(outputs)} tensors; it should return two")
        value, mask = outputs
        expected = _oracle(3, x)
        _compare("forward", value, expected, x)
        _compare("the mask", mask, (expected > 0).to(mask.dtype), x)
        if mask.requires_grad:
            raise _Unsolved("the mask requires a gradient, although it has no derivative")
        _check_slopes(function, 3)
        _gradchecks(function, second_derivative=False)
        t = x.detach().clone().requires_grad_()
        u = t * 1
        value, _ = function.apply(u)
        u.add_(1)  # after the forward pass: a saved input must not be read any more
        try:
            value.sum().backward()
        except RuntimeError:
            return
        raise _Unsolved(
            "after its input changed in place, backward ran on the changed values and "
            "returned a wrong gradient without an error"
        )

    return _verdict(function, checks, "computes P3 and its mask; the mask has no gradient; "
                    "an input changed in place is caught")  # fmt: skip
