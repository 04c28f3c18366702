"""Checks for the exercises at the end of the tutorial's pages.

Each check takes the reader's answer, a :class:`torch.autograd.Function`
subclass, and compares it with an independent oracle: NumPy's
``numpy.polynomial.legendre`` for values and slopes,
:func:`torch.autograd.gradcheck` and :func:`torch.autograd.gradgradcheck` for
the backward pass. It never raises on an answer: it returns a :class:`Verdict` whose text
says ``"solved"`` or ``"not solved yet"`` followed by what is still wrong, in
plain words, so that a notebook whose exercise is still a stub runs from top
to bottom.

    >>> print(check_legendre(MyP4, 4))  # doctest: +SKIP
    not solved yet: forward returned None; it should return a tensor
    >>> print(check_legendre(MyP4, 4, language="한국어"))  # doctest: +SKIP
    아직 해결되지 않음: 순전파가 반환한 값: None. 텐서를 반환해야 합니다
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.autograd.gradcheck import GradcheckError

__all__ = ["MESSAGES", "Verdict", "check_cubic_and_mask", "check_legendre"]

# Awkward points included: +-1, where formulas with 1 / (x^2 - 1) break, and 0.
POINTS = (-1.0, -0.7, -0.1, 0.0, 0.4, 0.9, 1.0)

# What a verdict says, by language, then by reason; ``{name}`` fields are the verdict's
# facts. Every language has the same keys and the same fields (tests/test_exercises.py).
# A raised error ends its sentence, quoted as Python printed it. The Korean puts no
# particle after a field, whose last sound it cannot know.
MESSAGES: dict[str, dict[str, str]] = {
    "English": {
        "solved": "solved",
        "not solved": "not solved yet",
        "not a Function": "expected a subclass of torch.autograd.Function (the class itself, "
        "not its apply or an instance), got {name}",
        "apply raised": "calling {name}.apply(x) raised {error}",
        "not a tensor": "forward returned {returned}; it should return a tensor",
        "wrong shape": "forward returned shape {shape} for x of shape {x_shape}; "
        "it should work point by point",
        "wrong values": "forward gives {found} at x = {x}, where it should be {expected}",
        "wrong slopes": "backward gives {found} at x = {x}, where it should be {expected}",
        "wrong mask": "the mask gives {found} at x = {x}, where it should be {expected}",
        "no gradient": "the output does not require a gradient: call the Function with apply",
        "backward raised": "backward raised {error}",
        "grad_output not used": "backward does not multiply by grad_output: "
        "it should return grad_output * P'(x)",
        "backward returned None": "backward returned None for x; "
        "it should return grad_output * P'(x)",
        "slope not differentiable": "the gradient backward returns cannot be differentiated "
        "again: compute it with torch operations from tensors autograd follows (not detached, "
        "not from NumPy, not an output marked non-differentiable)",
        "wrong second derivative": "differentiating backward's gradient gives {found} at "
        "x = {x}, where the second derivative is {expected}",
        "nan second derivative": "differentiating backward's gradient gives nan at x = {x}: "
        "something divides by zero there, even in a branch that torch.where discards",
        "check fails": "{check} fails: {error}",
        "check raised": "{check} raised {error}",
        "not two outputs": "forward returned {count} tensors; it should return two",
        "mask has a gradient": "the mask requires a gradient, although it has no derivative",
        "in-place change missed": "backward did not notice that its input changed in place "
        "after forward: save the input with ctx.save_for_backward, which checks",
        "solved first": "{name} computes P{degree} and its derivative; gradcheck passes",
        "solved second": "{name} computes P{degree} and its derivative; "
        "gradcheck and gradgradcheck pass",
        "solved mask": "{name} computes P3 and its mask; the mask has no gradient; "
        "an input changed in place is caught",
    },
    "한국어": {
        "solved": "해결",
        "not solved": "아직 해결되지 않음",
        "not a Function": "torch.autograd.Function의 하위 클래스가 필요합니다(인스턴스나 "
        "메서드가 아닌 클래스 자체). 받은 것: {name}",
        "apply raised": "{name}.apply(x) 호출이 예외를 일으켰습니다: {error}",
        "not a tensor": "순전파가 반환한 값: {returned}. 텐서를 반환해야 합니다",
        "wrong shape": "shape {x_shape}인 x에 대한 순전파의 반환값 shape: {shape}. "
        "점마다 따로 계산해야 합니다",
        "wrong values": "x = {x}에서 순전파 값은 {found}이지만, 정답은 {expected}입니다",
        "wrong slopes": "x = {x}에서 역전파가 준 변화도는 {found}이지만, 정답은 {expected}입니다",
        "wrong mask": "x = {x}에서 마스크 값은 {found}이지만, 정답은 {expected}입니다",
        "no gradient": "출력이 변화도를 요구하지 않습니다: Function.apply(x)로 호출하세요",
        "backward raised": "역전파가 예외를 일으켰습니다: {error}",
        "grad_output not used": "역전파가 grad_output을 곱하지 않습니다. "
        "grad_output * P'(x)를 반환해야 합니다",
        "backward returned None": "역전파가 x에 대해 None을 반환했습니다. "
        "grad_output * P'(x)를 반환해야 합니다",
        "slope not differentiable": "역전파가 반환한 변화도를 다시 미분할 수 없습니다. autograd가 "
        "따라갈 수 있는 텐서로부터 torch 연산으로 계산하세요(detach()한 텐서, NumPy에서 온 값, "
        "미분할 수 없다고 표시한 출력은 안 됩니다)",
        "wrong second derivative": "x = {x}에서 역전파가 준 변화도를 미분하면 {found}이지만, "
        "2차 도함수의 정답은 {expected}입니다",
        "nan second derivative": "x = {x}에서 역전파가 준 변화도를 미분하면 nan입니다. 그곳에서 "
        "0으로 나누는 계산이 있습니다. torch.where가 버리는 분기 안의 나눗셈이라도 nan을 만듭니다",
        "check fails": "{check} 실패: {error}",
        "check raised": "{check} 실행 중 예외: {error}",
        "not two outputs": "순전파가 반환한 텐서: {count}개. 두 개를 반환해야 합니다",
        "mask has a gradient": "마스크는 도함수가 없는데도 변화도를 요구합니다",
        "in-place change missed": "순전파 뒤에 입력이 제자리에서 바뀌었는데도 역전파가 알아채지 "
        "못했습니다. 입력을 ctx.save_for_backward로 저장하면 이를 확인합니다",
        "solved first": "{name}: P{degree} 값과 도함수가 맞습니다. gradcheck 통과",
        "solved second": "{name}: P{degree} 값과 도함수가 맞습니다. gradcheck, gradgradcheck 통과",
        "solved mask": "{name}: P3 값과 마스크가 맞고, 마스크에는 변화도가 없으며, "
        "제자리에서 바뀐 입력을 잡아냅니다",
    },
}


def _language(language: str) -> str:
    if language not in MESSAGES:
        choices = ", ".join(repr(choice) for choice in MESSAGES)
        raise ValueError(f"language must be one of {choices}, not {language!r}")
    return language


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``solved``, and why, as the ``reason`` key of :data:`MESSAGES`
    with the ``facts`` its sentence names; ``str()`` says it in plain words in ``language``.
    """

    solved: bool
    reason: str
    facts: dict[str, object] = field(default_factory=dict, hash=False)  # a verdict stays hashable
    language: str = "English"

    def __post_init__(self) -> None:
        _language(self.language)

    def __str__(self) -> str:
        messages = MESSAGES[self.language]
        outcome = messages["solved" if self.solved else "not solved"]
        return f"{outcome}: {messages[self.reason].format(**self.facts)}"


class _Unsolved(Exception):
    """What is still wrong with an answer: a reason of :data:`MESSAGES` and its facts."""

    def __init__(self, reason: str, **facts: object) -> None:
        super().__init__(reason)
        self.reason, self.facts = reason, facts


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
        raise _Unsolved("not a Function", name=_name(function))


def _apply(function: Any, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The outputs of ``function.apply(x)`` as a tuple of tensors, or what went wrong."""
    try:
        outputs = function.apply(x)
    except Exception as error:  # noqa: BLE001 (any error is what the reader must fix)
        raise _Unsolved("apply raised", name=_name(function), error=_first_line(error)) from None
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    if not all(isinstance(output, torch.Tensor) for output in outputs):
        shown = ", ".join("None" if output is None else type(output).__name__ for output in outputs)
        raise _Unsolved("not a tensor", returned=shown)
    if outputs[0].shape != x.shape:
        raise _Unsolved("wrong shape", shape=tuple(outputs[0].shape), x_shape=tuple(x.shape))
    return outputs


def _compare(reason: str, found: torch.Tensor, expected: torch.Tensor, x: torch.Tensor) -> None:
    """Raise ``reason`` with the first point where ``found`` is not ``expected``."""
    wrong = ~torch.isclose(found.detach().to(expected.dtype), expected, rtol=1e-7, atol=1e-9)
    if wrong.any():
        i = int(wrong.nonzero()[0, 0])
        raise _Unsolved(
            reason,
            found=f"{found[i].item():.6g}",
            x=f"{x[i].item():g}",
            expected=f"{expected[i].item():.6g}",
        )


def _check_values(function: Any, degree: int) -> None:
    x = _points()
    (value, *_) = _apply(function, x)
    _compare("wrong values", value, _oracle(degree, x), x)


def _check_slopes(function: Any, degree: int) -> None:
    x = _points().requires_grad_()
    (value, *_) = _apply(function, x)
    if not value.requires_grad:
        raise _Unsolved("no gradient")
    # grad_output is all ones first, then a different weight per point: a backward
    # that returns P'(x) alone passes the first and not the second
    weights = torch.linspace(0.5, 2.0, x.numel(), dtype=x.dtype)
    try:
        (slope,) = torch.autograd.grad(value.sum(), x, allow_unused=True, retain_graph=True)
        if slope is not None:
            (weighted,) = torch.autograd.grad(value, x, grad_outputs=weights)
    except Exception as error:  # noqa: BLE001
        raise _Unsolved("backward raised", error=_first_line(error)) from None
    if slope is None:
        raise _Unsolved("backward returned None")
    _compare("wrong slopes", slope, _oracle(degree, x, derivative=1), x)
    if not torch.allclose(weighted, weights * slope):
        raise _Unsolved("grad_output not used")


def _check_second_derivative(function: Any, degree: int) -> None:
    """Differentiate the gradient ``backward`` returns, and compare with NumPy's ``P''``."""
    x = _points().requires_grad_()
    (value, *_) = _apply(function, x)
    curvature = None
    try:
        (slope,) = torch.autograd.grad(value.sum(), x, create_graph=True)
        # allow_unused: a slope that does not depend on x (a constant, or a
        # once_differentiable backward's error node, which autograd.grad never runs)
        if slope.requires_grad:
            (curvature,) = torch.autograd.grad(slope.sum(), x, allow_unused=True)
    except Exception as error:  # noqa: BLE001
        raise _Unsolved("backward raised", error=_first_line(error)) from None
    if curvature is None:
        raise _Unsolved("slope not differentiable")
    nan = curvature.isnan()
    if nan.any():
        raise _Unsolved("nan second derivative", x=f"{x[int(nan.nonzero()[0, 0])].item():g}")
    _compare("wrong second derivative", curvature, _oracle(degree, x, derivative=2), x)


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
            raise _Unsolved("check fails", check=name, error=_first_line(error)) from None
        except Exception as error:  # noqa: BLE001
            raise _Unsolved("check raised", check=name, error=_first_line(error)) from None


def _verdict(
    function: object, checks: Callable[[], None], solved: str, language: str, **facts: object
) -> Verdict:
    _language(language)  # before any check runs: a wrong language is the caller's error
    try:
        _check_class(function)
        checks()
    except _Unsolved as problem:
        return Verdict(False, problem.reason, problem.facts, language)
    return Verdict(True, solved, {"name": _name(function), **facts}, language)


def check_legendre(
    function: object, degree: int, *, second_derivative: bool = False, language: str = "English"
) -> Verdict:
    r"""Check a Function that computes :math:`P_n(x)` (its first output, if it has several).

    Its values and slopes (with ``second_derivative``, also the derivative of
    the gradient its ``backward`` returns) are compared with NumPy's Legendre
    module at a few points in double precision, including :math:`\pm 1` and 0;
    then :func:`~torch.autograd.gradcheck` runs, and with ``second_derivative``
    also :func:`~torch.autograd.gradgradcheck`.

    Parameters
    ----------
    function : type
        The answer: a subclass of :class:`torch.autograd.Function` whose
        ``apply(x)`` takes one tensor.
    degree : int
        The degree :math:`n` it should compute.
    second_derivative : bool
        Whether its backward pass must itself be differentiable.
    language : str
        The language the verdict is printed in: a key of :data:`MESSAGES`
        (``"English"`` or ``"한국어"``).

    Returns
    -------
    Verdict
        ``solved``, and a message that starts with "solved" or "not solved yet".

    Raises
    ------
    ValueError
        If ``language`` is not a key of :data:`MESSAGES`.
    """

    def checks() -> None:
        _check_values(function, degree)
        _check_slopes(function, degree)
        if second_derivative:
            _check_second_derivative(function, degree)
        _gradchecks(function, second_derivative)

    solved = "solved second" if second_derivative else "solved first"
    return _verdict(function, checks, solved, language, degree=degree)


def check_cubic_and_mask(function: Any, *, language: str = "English") -> Verdict:
    r"""Check a Function that returns :math:`P_3(x)` and the mask ``P3(x) > 0`` (as floats).

    Beyond the values and the slope (NumPy, :func:`~torch.autograd.gradcheck`),
    the mask must not require a gradient (``ctx.mark_non_differentiable``),
    and changing the input in place after the forward pass must make the
    backward pass raise rather than return a wrong gradient (the input saved
    with ``ctx.save_for_backward``, not kept as an attribute of ``ctx``).
    ``language`` is as in :func:`check_legendre`.
    """

    def checks() -> None:
        x = _points().requires_grad_()
        outputs = _apply(function, x)
        if len(outputs) != 2:
            raise _Unsolved("not two outputs", count=len(outputs))
        value, mask = outputs
        if mask.shape != x.shape:
            raise _Unsolved("wrong shape", shape=tuple(mask.shape), x_shape=tuple(x.shape))
        expected = _oracle(3, x)
        _compare("wrong values", value, expected, x)
        _compare("wrong mask", mask, (expected > 0).to(mask.dtype), x)
        if mask.requires_grad:
            raise _Unsolved("mask has a gradient")
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
        raise _Unsolved("in-place change missed")

    return _verdict(function, checks, "solved mask", language)
