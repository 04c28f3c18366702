"""The exercise checks: right answers are solved, each wrong one is told what is wrong,
in English or in Korean."""

import string

import pytest
import torch
from torch.autograd.function import once_differentiable

from legendre.exercises import MESSAGES, Verdict, check_cubic_and_mask, check_legendre


class P4(torch.autograd.Function):
    """A right answer, written from the closed forms (not from the package)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (35 * x**4 - 30 * x**2 + 3) / 8

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (35 * x**3 - 15 * x) / 2


class Stub(torch.autograd.Function):
    """The exercise as the page hands it out: nothing written yet."""

    @staticmethod
    def forward(ctx, x): ...

    @staticmethod
    def backward(ctx, grad_output): ...


class WrongSlope(P4):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (35 * x**3 + 15 * x) / 2


class WithoutGradOutput(P4):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return (35 * x**3 - 15 * x) / 2  # P4'(x), right only when grad_output is ones


class DetachedSlope(P4):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        x = x.detach()  # right numbers, but the second derivative is lost
        return grad_output * (35 * x**3 - 15 * x) / 2


class Raises(P4):
    @staticmethod
    def forward(ctx, x):
        raise ValueError("not written")


def test_a_right_answer_is_solved():
    verdict = check_legendre(P4, 4, second_derivative=True)
    assert verdict == Verdict(True, "solved second", {"name": "P4", "degree": 4})
    assert {verdict} == {Verdict(True, "solved second", {"name": "P4", "degree": 4})}  # hashable
    assert str(verdict) == (
        "solved: P4 computes P4 and its derivative; gradcheck and gradgradcheck pass"
    )


def test_the_untouched_stub_is_not_solved_yet_and_does_not_raise():
    verdict = check_legendre(Stub, 4)
    assert not verdict.solved
    assert str(verdict) == "not solved yet: forward returned None; it should return a tensor"


@pytest.mark.parametrize(
    ("answer", "degree", "says"),
    [
        (P4, 3, "forward gives 1 at x = -1, where it should be -1"),
        (WrongSlope, 4, "backward gives -25 at x = -1, where it should be -10"),
        (WithoutGradOutput, 4, "backward does not multiply by grad_output"),
        (Raises, 4, "calling Raises.apply(x) raised ValueError: not written"),
        (P4.apply, 4, "expected a subclass of torch.autograd.Function"),
        (torch.nn.Module, 4, "expected a subclass of torch.autograd.Function"),
    ],
)
def test_a_wrong_answer_says_what_is_wrong(answer, degree, says):
    verdict = check_legendre(answer, degree)
    assert not verdict.solved
    assert says in str(verdict)


def test_a_backward_that_cannot_be_differentiated_fails_only_the_second_derivative():
    assert check_legendre(DetachedSlope, 4).solved
    verdict = check_legendre(DetachedSlope, 4, second_derivative=True)
    assert not verdict.solved
    assert "the gradient backward returns cannot be differentiated again" in str(verdict)


class OnceDifferentiable(P4):
    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        return P4.backward(ctx, grad_output)


class GuardedSlope(P4):
    """P4' from (x^2 - 1) P4' = 4 (x P4 - P3), guarded at +-1: right, but not twice."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        p3, p4 = (5 * x**3 - 3 * x) / 2, (35 * x**4 - 30 * x**2 + 3) / 8
        at_ends = 10 * x**3  # P4'(+-1) = +-10
        return grad_output * torch.where(x.abs() == 1, at_ends, 4 * (x * p4 - p3) / (x**2 - 1))


class CurvedWrongly(P4):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        fixed = x.detach()
        return grad_output * ((35 * fixed**3 - 15 * fixed) / 2 + (x - fixed))  # P4'' read as 1


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (OnceDifferentiable, "the gradient backward returns cannot be differentiated again"),
        (GuardedSlope, "gives nan at x = -1: something divides by zero there"),
        (CurvedWrongly, "gives 1 at x = -1, where the second derivative is 45"),
    ],
)
def test_a_wrong_second_derivative_says_where_numpy_disagrees(answer, says):
    assert check_legendre(answer, 4).solved  # the first derivative is right
    verdict = check_legendre(answer, 4, second_derivative=True)
    assert not verdict.solved
    assert says in str(verdict)


def test_the_first_output_is_checked_when_a_function_returns_several():
    class WithSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (35 * x**4 - 30 * x**2 + 3) / 8, x * x

        @staticmethod
        def backward(ctx, grad_value, grad_square):
            (x,) = ctx.saved_tensors
            return grad_value * (35 * x**3 - 15 * x) / 2 + grad_square * 2 * x

    assert check_legendre(WithSquare, 4, second_derivative=True).solved


class CubicAndMask(torch.autograd.Function):
    """A right answer to the mask exercise."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        value = 0.5 * (5 * x**3 - 3 * x)
        mask = (value > 0).to(x.dtype)
        ctx.mark_non_differentiable(mask)
        return value, mask

    @staticmethod
    def backward(ctx, grad_value, grad_mask):
        (x,) = ctx.saved_tensors
        return grad_value * 1.5 * (5 * x**2 - 1)


class MaskLeftDifferentiable(CubicAndMask):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        value = 0.5 * (5 * x**3 - 3 * x)
        return value, (value > 0).to(x.dtype)


class InputOnCtx(CubicAndMask):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        value = 0.5 * (5 * x**3 - 3 * x)
        mask = (value > 0).to(x.dtype)
        ctx.mark_non_differentiable(mask)
        return value, mask

    @staticmethod
    def backward(ctx, grad_value, grad_mask):
        return grad_value * 1.5 * (5 * ctx.x**2 - 1)


class MaskOfOnePoint(CubicAndMask):
    @staticmethod
    def forward(ctx, x):
        value, mask = CubicAndMask.forward(ctx, x)
        return value, mask[:1]


def test_the_mask_exercise_is_solved_by_marking_and_saving():
    verdict = check_cubic_and_mask(CubicAndMask)
    assert verdict.solved, str(verdict)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (MaskLeftDifferentiable, "the mask requires a gradient"),
        (InputOnCtx, "backward did not notice that its input changed in place"),
        (P4, "forward returned 1 tensors; it should return two"),
        (Stub, "forward returned None"),
        (MaskOfOnePoint, "forward returned shape (1,) for x of shape (7,)"),
    ],
)
def test_each_mistake_of_the_mask_exercise_is_named(answer, says):
    verdict = check_cubic_and_mask(answer)
    assert not verdict.solved
    assert str(verdict).startswith("not solved yet: ")
    assert says in str(verdict)


# -- The verdicts' languages ----------------------------------------------------------------

KOREAN = "한국어"


def _fields(message):
    return sorted(field for _, field, _, _ in string.Formatter().parse(message) if field)


def test_every_language_has_the_same_reasons_and_the_same_fields():
    english = MESSAGES["English"]
    assert set(MESSAGES) == {"English", KOREAN}
    assert set(MESSAGES[KOREAN]) == set(english)
    for reason, message in english.items():
        assert _fields(MESSAGES[KOREAN][reason]) == _fields(message), reason


@pytest.mark.parametrize(
    ("check", "answer", "english", "korean"),
    [
        (
            lambda answer, language: check_legendre(answer, 4, language=language),
            P4,
            "solved: P4 computes P4 and its derivative; gradcheck passes",
            "해결: P4: P4 값과 도함수가 맞습니다. gradcheck 통과",
        ),
        (
            lambda answer, language: check_legendre(answer, 4, language=language),
            Stub,
            "not solved yet: forward returned None; it should return a tensor",
            "아직 해결되지 않음: 순전파가 반환한 값: None. 텐서를 반환해야 합니다",
        ),
        (
            lambda answer, language: check_legendre(
                answer, 4, second_derivative=True, language=language
            ),
            P4,
            "solved: P4 computes P4 and its derivative; gradcheck and gradgradcheck pass",
            "해결: P4: P4 값과 도함수가 맞습니다. gradcheck, gradgradcheck 통과",
        ),
        (
            lambda answer, language: check_legendre(
                answer, 4, second_derivative=True, language=language
            ),
            DetachedSlope,
            "not solved yet: the gradient backward returns cannot be differentiated again",
            "아직 해결되지 않음: 역전파가 반환한 변화도를 다시 미분할 수 없습니다",
        ),
        (
            lambda answer, language: check_cubic_and_mask(answer, language=language),
            CubicAndMask,
            "solved: CubicAndMask computes P3 and its mask; the mask has no gradient;",
            "해결: CubicAndMask: P3 값과 마스크가 맞고, 마스크에는 변화도가 없으며,",
        ),
        (
            lambda answer, language: check_cubic_and_mask(answer, language=language),
            MaskLeftDifferentiable,
            "not solved yet: the mask requires a gradient, although it has no derivative",
            "아직 해결되지 않음: 마스크는 도함수가 없는데도 변화도를 요구합니다",
        ),
    ],
    ids=["P4", "stub", "P4 twice", "detached", "mask", "mask left differentiable"],
)
def test_each_check_gives_its_verdict_in_english_and_in_korean(check, answer, english, korean):
    in_english, in_korean = check(answer, "English"), check(answer, KOREAN)
    assert in_english.solved == in_korean.solved
    assert str(in_english).startswith(english)
    assert str(in_korean).startswith(korean)


@pytest.mark.parametrize(
    ("answer", "degree", "korean"),
    [
        (P4, 3, "x = -1에서 순전파 값은 1이지만, 정답은 -1입니다"),
        (WrongSlope, 4, "x = -1에서 역전파가 준 변화도는 -25이지만, 정답은 -10입니다"),
        (Raises, 4, "Raises.apply(x) 호출이 예외를 일으켰습니다: ValueError: not written"),
        (torch.nn.Module, 4, "torch.autograd.Function의 하위 클래스가 필요합니다"),
    ],
)
def test_a_wrong_answer_says_what_is_wrong_in_korean_too(answer, degree, korean):
    verdict = check_legendre(answer, degree, language=KOREAN)
    assert not verdict.solved
    assert str(verdict).startswith("아직 해결되지 않음: ")
    assert korean in str(verdict)


@pytest.mark.parametrize(
    ("answer", "korean"),
    [
        (InputOnCtx, "역전파가 알아채지 못했습니다. 입력을 ctx.save_for_backward로 저장하면"),
        (P4, "순전파가 반환한 텐서: 1개. 두 개를 반환해야 합니다"),
    ],
)
def test_each_mistake_of_the_mask_exercise_is_named_in_korean(answer, korean):
    verdict = check_cubic_and_mask(answer, language=KOREAN)
    assert not verdict.solved
    assert korean in str(verdict)


@pytest.mark.parametrize("language", ["Korean", "english", "ko"])
def test_an_unknown_language_is_an_error_that_names_the_choices(language):
    choices = "language must be one of 'English', '한국어', not"
    with pytest.raises(ValueError, match=f"^{choices} '{language}'$"):
        check_legendre(P4, 4, language=language)
    with pytest.raises(ValueError, match=choices):
        check_cubic_and_mask(Stub, language=language)
    with pytest.raises(ValueError, match=choices):
        Verdict(True, "solved first", {"name": "P4", "degree": 4}, language)
