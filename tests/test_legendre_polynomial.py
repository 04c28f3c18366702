"""LegendrePolynomial against numpy's Legendre module, finite differences and torch.func."""

import re

import numpy as np
import pytest
import torch
from numpy.polynomial import legendre as L

from legendre import LegendrePolynomial, LegendrePolynomial3

P = LegendrePolynomial.apply
DEGREES = range(13)
# [-1.2, 1.2] in steps of 0.01, with -1, 0 and 1 exactly (linspace misses 1 by one ulp):
# the ends of [-1, 1] are where a (x^2 - 1) P_n' formula would divide by zero.
POINTS = np.union1d(np.linspace(-1.2, 1.2, 241), [-1.0, 0.0, 1.0])

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here"),
    ),
]
# rtol for values and derivatives. atol is rtol times the largest |expected| on the grid:
# near a root of P_n the relative error of any evaluation order is unbounded.
TOLERANCES = [(torch.float32, 2e-5), (torch.float64, 1e-10)]


def coefficients(n: int) -> np.ndarray:
    """P_n in numpy's Legendre basis: a single 1 at index n."""
    return np.eye(n + 1)[n]


def expected(points: np.ndarray, n: int, derivative: int = 0) -> np.ndarray:
    return L.legval(points, L.legder(coefficients(n), derivative))


def assert_close(got: torch.Tensor, want: np.ndarray, rtol: float) -> None:
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(
        got.detach().cpu().double().numpy(), want, rtol=rtol, atol=rtol * scale
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("dtype", "rtol"), TOLERANCES)
@pytest.mark.parametrize("n", DEGREES)
def test_forward_matches_numpy_legval(n, dtype, rtol, device):
    got = P(torch.tensor(POINTS, dtype=dtype, device=device), n)
    assert got.dtype == dtype
    assert got.device.type == device
    assert_close(got, expected(POINTS, n), rtol)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("dtype", "rtol"), TOLERANCES)
@pytest.mark.parametrize("n", DEGREES)
def test_backward_matches_numpy_legder(n, dtype, rtol, device):
    x = torch.tensor(POINTS, dtype=dtype, device=device, requires_grad=True)
    P(x, n).sum().backward()
    assert x.grad.dtype == dtype
    assert_close(x.grad, expected(POINTS, n, derivative=1), rtol)


# From n = 2 on: P_0' and P_1' are constants, so, as for built-in operations, the first
# gradient carries no graph (torch.func below still covers n = 0 and 1).
@pytest.mark.parametrize("n", DEGREES[2:])
def test_double_backward_matches_numpy_second_derivative(n):
    x = torch.tensor(POINTS, requires_grad=True)
    (first,) = torch.autograd.grad(P(x, n).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    assert_close(second, expected(POINTS, n, derivative=2), 1e-10)


def test_backward_scales_the_incoming_gradient():
    x = torch.tensor(POINTS, requires_grad=True)
    weights = torch.linspace(-2, 3, len(POINTS), dtype=torch.float64)
    (P(x, 7) * weights).sum().backward()
    assert_close(x.grad, weights.numpy() * expected(POINTS, 7, derivative=1), 1e-10)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "shape", [(), (0,), (5,), (2, 3, 4), (1, 1, 6, 1)], ids=lambda s: "x".join(map(str, s))
)
def test_keeps_the_shape_of_any_input(shape, device):
    x = torch.linspace(-1.1, 1.1, int(np.prod(shape)), dtype=torch.float64, device=device)
    x = x.reshape(shape).requires_grad_()
    y = P(x, 5)
    assert y.shape == x.shape
    y.sum().backward()
    assert x.grad.shape == x.shape
    points = x.detach().cpu().numpy()
    assert_close(y, expected(points, 5), 1e-10)
    assert_close(x.grad, expected(points, 5, derivative=1), 1e-10)


def test_works_on_a_non_contiguous_view():
    base = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(3, 4)
    x = base.t()  # a transposed view, not contiguous
    assert not x.is_contiguous()
    assert_close(P(x, 4), expected(x.numpy(), 4), 1e-10)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("n", DEGREES)
def test_gradcheck_and_gradgradcheck_pass(n, device):
    # Points off the grid above, and both ends of [-1, 1], where (x^2 - 1) formulas break.
    x = torch.tensor([-1.0, -0.83, -0.2, 0.05, 0.61, 1.0, 1.13], dtype=torch.float64)
    x = x.to(device).requires_grad_()
    assert torch.autograd.gradcheck(P, (x, n))
    assert torch.autograd.gradgradcheck(P, (x, n))


def test_degree_three_agrees_with_legendre_polynomial3():
    x = torch.linspace(-1.2, 1.2, 25, dtype=torch.float64, requires_grad=True)
    x3 = x.detach().clone().requires_grad_()
    weights = torch.linspace(1, 2, 25, dtype=torch.float64)
    y, y3 = P(x, 3), LegendrePolynomial3.apply(x3)
    torch.testing.assert_close(y, y3, rtol=1e-14, atol=1e-14)
    (y * weights).sum().backward()
    (y3 * weights).sum().backward()
    torch.testing.assert_close(x.grad, x3.grad, rtol=1e-14, atol=1e-14)


def test_degree_zero_is_one_with_a_zero_gradient():
    x = torch.linspace(-1.2, 1.2, 9, dtype=torch.float64, requires_grad=True)
    y = P(x, 0)
    assert torch.equal(y, torch.ones(9, dtype=torch.float64))
    assert y.requires_grad  # still part of the graph, so backward() works
    y.sum().backward()
    assert torch.equal(x.grad, torch.zeros(9, dtype=torch.float64))


def test_degree_one_returns_a_new_tensor():
    x = torch.linspace(-1, 1, 5, dtype=torch.float64)
    y = P(x, 1)
    assert torch.equal(y, x)
    y += 1  # must not write into x
    assert torch.equal(x, torch.linspace(-1, 1, 5, dtype=torch.float64))


# -- torch.func ----------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 4, 9])
def test_vmap_of_grad_gives_the_derivative_at_every_point(n):
    x = torch.tensor(POINTS)
    derivative = torch.func.vmap(torch.func.grad(lambda t: P(t, n)))(x)
    assert_close(derivative, expected(POINTS, n, derivative=1), 1e-10)


@pytest.mark.parametrize("n", DEGREES)
def test_grad_of_grad_gives_the_second_derivative(n):
    second = torch.func.vmap(torch.func.grad(torch.func.grad(lambda t: P(t, n))))
    assert_close(second(torch.tensor(POINTS)), expected(POINTS, n, derivative=2), 1e-10)


def test_vmap_over_a_batch_matches_the_unbatched_call():
    x = torch.linspace(-1.2, 1.2, 30, dtype=torch.float64).reshape(5, 6)
    batched = torch.func.vmap(lambda row: P(row, 6))(x)
    torch.testing.assert_close(batched, P(x, 6), rtol=0, atol=0)


def test_jacrev_is_diagonal_with_the_derivative():
    points = np.linspace(-1, 1, 11)
    jacobian = torch.func.jacrev(lambda t: P(t, 5))(torch.tensor(points))
    assert jacobian.shape == (11, 11)
    assert_close(jacobian, np.diag(expected(points, 5, derivative=1)), 1e-10)


def test_jacrev_of_jacrev_gives_the_hessian_of_a_sum():
    points = np.linspace(-1, 1, 7)
    hessian = torch.func.jacrev(torch.func.jacrev(lambda t: P(t, 6).sum()))(torch.tensor(points))
    assert_close(hessian, np.diag(expected(points, 6, derivative=2)), 1e-10)


# torch's forward-mode AD loads its decompositions with torch.jit.script on first use,
# which torch itself deprecates (a DeprecationWarning up to torch 2.13, a FutureWarning
# from 2.14: the filter names no category).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_forward_mode_is_not_supported():
    # The documented limit: a jvp method would break torch.compile(fullgraph=True).
    with pytest.raises(NotImplementedError, match="jvp"):
        torch.func.jacfwd(lambda t: P(t, 3))(torch.tensor(POINTS))


# -- torch.compile ---------------------------------------------------------------


# Dynamo builds its context object by instantiating torch.autograd.Function, which torch
# itself deprecates; the warning comes from inside torch, for any custom Function.
@pytest.mark.filterwarnings(
    "ignore:<class 'torch.autograd.function.Function'> should not be instantiated"
    ":DeprecationWarning"
)
def test_compiles_into_one_graph_with_forward_and_backward():
    # fullgraph=True raises on any graph break. "aot_eager" runs Dynamo (which finds graph
    # breaks) and AOTAutograd (which traces the backward) but skips Inductor's code
    # generation, which takes most of a minute on a small CPU and tests torch, not us.
    compiled = torch.compile(lambda t: P(t, 6), fullgraph=True, backend="aot_eager")
    x = torch.tensor(POINTS, requires_grad=True)
    y = compiled(x)
    y.sum().backward()
    assert_close(y, expected(POINTS, 6), 1e-10)
    assert_close(x.grad, expected(POINTS, 6, derivative=1), 1e-10)


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "x",
    [
        torch.arange(3),
        torch.tensor([True, False]),
        torch.ones(3, dtype=torch.complex128),
    ],
    ids=["int64", "bool", "complex128"],
)
def test_non_floating_input_is_a_type_error(x):
    with pytest.raises(
        TypeError, match=re.escape(f"x must have a real floating dtype, got {x.dtype}")
    ):
        P(x, 2)


def test_input_that_is_not_a_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor, got list"):
        P([0.5, 0.25], 2)


@pytest.mark.parametrize("n", [True, 2.0, 2.5, "3", None, torch.tensor(2)])
def test_degree_that_is_not_an_int_is_a_type_error(n):
    with pytest.raises(TypeError, match="n must be an int"):
        P(torch.zeros(3), n)


@pytest.mark.parametrize("n", [-1, -7])
def test_negative_degree_is_a_value_error(n):
    with pytest.raises(ValueError, match=rf"n must be >= 0, got {n}"):
        P(torch.zeros(3), n)


def test_numpy_integer_degree_is_accepted():
    x = torch.tensor(POINTS)
    torch.testing.assert_close(P(x, np.int64(4)), P(x, 4), rtol=0, atol=0)
