"""The exercise checks: right answers are solved, each wrong one is told what is wrong."""

import pytest
import torch

from legendre.exercises import Verdict, check_cubic_and_mask, check_legendre


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
    assert verdict == Verdict(True, str(verdict))
    assert str(verdict).startswith("solved: P4 computes P4")


def test_the_untouched_stub_is_not_solved_yet_and_does_not_raise():
    verdict = check_legendre(Stub, 4)
    assert not verdict.solved
    assert str(verdict) == "not solved yet: forward returned None; it should return a tensor"


@pytest.mark.parametrize(
    ("answer", "degree", "says"),
    [
        (P4, 3, "forward gives 1 at x = -1, where it should be -1"),
        (WrongSlope, 4, "backward gives -25 at x = -1, where it should be -10"),
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
    assert "gradgradcheck fails: GradcheckError: Jacobian mismatch" in str(verdict)


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


def test_the_mask_exercise_is_solved_by_marking_and_saving():
    verdict = check_cubic_and_mask(CubicAndMask)
    assert verdict.solved, str(verdict)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (MaskLeftDifferentiable, "the mask requires a gradient"),
        (InputOnCtx, "backward ran on the changed values"),
        (P4, "forward returned 1 tensors; it should return two"),
        (Stub, "forward returned None"),
    ],
)
def test_each_mistake_of_the_mask_exercise_is_named(answer, says):
    verdict = check_cubic_and_mask(answer)
    assert not verdict.solved
    assert str(verdict).startswith("not solved yet: ")
    assert says in str(verdict)
