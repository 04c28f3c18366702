"""LegendrePolynomial3 against numpy's Legendre module and finite differences."""

import numpy as np
import pytest
import torch
from numpy.polynomial import legendre as L

from legendre import LegendrePolynomial3

P3 = LegendrePolynomial3.apply
P3_COEFFICIENTS = [0, 0, 0, 1]  # P3 in numpy's Legendre basis


@pytest.fixture
def points() -> np.ndarray:
    return np.linspace(-1.5, 1.5, 301)


@pytest.mark.parametrize(("dtype", "rtol"), [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_forward_matches_numpy_legval(points, dtype, rtol):
    got = P3(torch.tensor(points, dtype=dtype))
    assert got.dtype == dtype
    np.testing.assert_allclose(got.numpy(), L.legval(points, P3_COEFFICIENTS), rtol=rtol, atol=rtol)


@pytest.mark.parametrize(("dtype", "rtol"), [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_backward_matches_numpy_legder(points, dtype, rtol):
    x = torch.tensor(points, dtype=dtype, requires_grad=True)
    P3(x).sum().backward()
    expected = L.legval(points, L.legder(P3_COEFFICIENTS))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=rtol, atol=rtol)


def test_backward_scales_the_incoming_gradient(points):
    x = torch.tensor(points, requires_grad=True)
    weights = torch.linspace(-2, 3, len(points), dtype=torch.float64)
    (P3(x) * weights).sum().backward()
    expected = weights.numpy() * L.legval(points, L.legder(P3_COEFFICIENTS))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_gradcheck_passes_in_float64():
    x = torch.linspace(-1.2, 1.2, 17, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(P3, (x,))


def test_works_on_any_shape():
    x = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(2, 3, 4)
    np.testing.assert_allclose(P3(x).numpy(), L.legval(x.numpy(), P3_COEFFICIENTS), atol=1e-12)
