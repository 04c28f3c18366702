"""fit(): the tutorial's numbers, its options, and clear errors for bad input."""

import math

import numpy as np
import pytest
import torch

import legendre
from legendre import DivergenceError, fit


@pytest.fixture(scope="module")
def data() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(-math.pi, math.pi, 2000)
    return x, torch.sin(x)


@pytest.fixture(scope="module")
def tutorial_fit(data) -> legendre.FitResult:
    return fit(*data)


def test_fit_reproduces_every_logged_loss_of_the_original(tutorial_fit, original_run):
    lines, _ = original_run
    logged = [f"{step} {loss}" for step, loss in tutorial_fit.losses]
    assert len(logged) == 20
    assert logged == lines[:-1]


def test_fit_reproduces_the_original_coefficients_exactly(tutorial_fit, original_run):
    _, coefficients = original_run
    assert list(tutorial_fit.coefficients) == coefficients
    assert tutorial_fit.coefficients == pytest.approx((0.0, -2.2085, 0.0, 0.25549), abs=1e-4)


def test_fit_prints_what_the_original_prints(data, original_run, capsys):
    fit(*data)
    assert capsys.readouterr().out.splitlines() == original_run[0]


def test_fit_is_silent_without_log_every(data, capsys):
    result = fit(*data, steps=150, log_every=None)
    assert capsys.readouterr().out == ""
    assert result.losses == []
    assert len(result.history) == 150


def test_history_holds_one_loss_per_step_and_agrees_with_the_log(tutorial_fit):
    assert len(tutorial_fit.history) == 2000
    assert all(tutorial_fit.history[step] == loss for step, loss in tutorial_fit.losses)
    assert tutorial_fit.history[0] > 400
    assert tutorial_fit.history[-1] < 9


def test_zero_steps_returns_the_starting_point(data):
    result = fit(*data, steps=0, init=(1, 2, 3, 4))
    assert result.coefficients == (1.0, 2.0, 3.0, 4.0)
    assert result.losses == result.history == []


def test_predict_evaluates_the_fitted_model(data, tutorial_fit):
    x, y = data
    a, b, c, d = tutorial_fit.coefficients
    z = c + d * x.double().numpy()
    expected = a + b * 0.5 * (5 * z**3 - 3 * z)
    np.testing.assert_allclose(tutorial_fit.predict(x.double()).numpy(), expected, rtol=1e-12)
    assert float((tutorial_fit.predict(x) - y).pow(2).sum()) < 9


def test_autograd_method_follows_the_same_trajectory(data, tutorial_fit):
    plain = fit(*data, method="autograd", log_every=None)
    np.testing.assert_allclose(plain.history, tutorial_fit.history, rtol=1e-5)


def test_device_argument_moves_the_data(data):
    x, y = data
    result = fit(x.double(), y.double(), steps=5, device="cpu", log_every=None)
    assert len(result.history) == 5


def test_adam_lowers_the_loss(data):
    result = fit(*data, optimizer="adam", steps=300, log_every=None)
    assert result.history[-1] < 0.5 * result.history[0]


@pytest.mark.parametrize("degree", [0, 1, 3, 5, 9])
def test_lbfgs_series_reaches_numpys_least_squares_fit(degree):
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
    y = torch.sin(x) + 0.3 * torch.cos(3 * x)
    result = fit(x, y, degree=degree, optimizer="lbfgs", steps=10, log_every=None)
    expected = np.polynomial.Legendre.fit(x.numpy(), y.numpy(), degree).coef
    np.testing.assert_allclose(result.coefficients, expected, atol=1e-6)
    np.testing.assert_allclose(
        result.predict(x).numpy(),
        np.polynomial.Legendre.fit(x.numpy(), y.numpy(), degree)(x.numpy()),
        atol=1e-6,
    )


def test_series_result_reads_as_a_sum_of_legendre_terms():
    x = torch.linspace(-1, 1, 50, dtype=torch.float64)
    result = fit(x, 2 * x, degree=1, optimizer="lbfgs", steps=5, log_every=None)
    assert str(result).startswith("y = ")
    assert "* P1(u)" in str(result)


def test_divergence_names_the_first_step_whose_loss_is_not_finite(data):
    x, y = data
    # Find that step independently: the tutorial's loop with a far too large step size.
    a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    first_bad = None
    for step in range(50):
        z = c + d * x
        loss = (a + b * (0.5 * (5 * z**3 - 3 * z)) - y).pow(2).sum()
        if not math.isfinite(loss.item()):
            first_bad = step
            break
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 1.0 * p.grad
                p.grad = None
    assert first_bad is not None
    with pytest.raises(
        DivergenceError, match=rf"stopped being finite at step {first_bad}\b"
    ) as info:
        fit(x, y, lr=1.0, log_every=None)
    assert info.value.step == first_bad


def test_divergence_prints_no_nan_lines(data, capsys):
    with pytest.raises(DivergenceError, match="lr=1 is probably too large"):
        fit(*data, lr=1.0, log_every=1)
    assert "nan" not in capsys.readouterr().out


BAD_ARGUMENTS = [
    ({"x": [0.0, 1.0]}, TypeError, "x must be a torch.Tensor"),
    ({"x": torch.arange(4)}, TypeError, "x must have a floating dtype"),
    ({"y": torch.zeros(3)}, ValueError, "same shape"),
    ({"y": torch.zeros(4, dtype=torch.float64)}, TypeError, "share a dtype"),
    ({"x": torch.tensor([0.0, math.nan, 1.0, 2.0])}, ValueError, "x holds inf or NaN"),
    ({"x": torch.tensor([0.0, 1.0, -math.inf, 2.0])}, ValueError, "x holds inf or NaN"),
    ({"y": torch.tensor([0.0, 1.0, 2.0, math.inf])}, ValueError, "y holds inf or NaN"),
    ({"x": torch.zeros(0), "y": torch.zeros(0)}, ValueError, "x is empty"),
    ({"steps": -1}, ValueError, "steps must be >= 0"),
    ({"steps": 2.5}, TypeError, "steps must be an int"),
    ({"lr": 0.0}, ValueError, "lr must be finite and > 0"),
    ({"lr": -1e-3}, ValueError, "lr must be finite and > 0"),
    ({"lr": math.nan}, ValueError, "lr must be finite and > 0"),
    ({"lr": math.inf}, ValueError, "lr must be finite and > 0"),
    ({"lr": "fast"}, TypeError, "lr must be a real number"),
    ({"init": (0.0, 1.0, 2.0)}, ValueError, "init must hold 4 numbers"),
    ({"init": "abcd"}, TypeError, "init must be a sequence"),
    ({"init": (0.0, 1.0, None, 2.0)}, TypeError, "init must hold real numbers"),
    ({"init": (0.0, 1.0, math.inf, 2.0)}, ValueError, "init must hold finite numbers"),
    ({"degree": 2, "init": (0.0, 1.0)}, ValueError, "init must hold 3 numbers for degree 2"),
    ({"device": "tpu"}, ValueError, "device: 'tpu'"),
    ({"log_every": 0}, ValueError, "log_every must be >= 1"),
    ({"degree": -1}, ValueError, "degree must be >= 0"),
    ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
    ({"method": "magic"}, ValueError, "method must be one of"),
]


@pytest.mark.parametrize(("override", "error", "message"), BAD_ARGUMENTS)
def test_bad_arguments_raise_a_clear_error(override, error, message):
    arguments = {"x": torch.linspace(-1, 1, 4), "y": torch.zeros(4), "steps": 3, **override}
    with pytest.raises(error, match=message):
        fit(**arguments)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_asking_for_cuda_without_a_gpu_is_an_error(data):
    with pytest.raises(ValueError, match="CUDA, which is not available"):
        fit(*data, device="cuda")


@pytest.mark.parametrize("context", [torch.no_grad, torch.inference_mode])
@pytest.mark.parametrize(
    "options",
    [
        {"method": "function"},
        {"method": "autograd"},
        {"method": "fused"},
        {"degree": 3, "optimizer": "lbfgs"},
    ],
    ids=["function", "autograd", "fused", "series-lbfgs"],
)
def test_fit_trains_the_same_under_no_grad_and_inference_mode(context, options):
    # Evaluation code often runs under one of these; fit must still train, unchanged.
    x = torch.linspace(-math.pi, math.pi, 200)
    expected = fit(x, torch.sin(x), steps=20, log_every=None, **options)
    with context():
        data = torch.linspace(-math.pi, math.pi, 200)  # an inference tensor under inference_mode
        result = fit(data, torch.sin(data), steps=20, log_every=None, **options)
    assert result.history == expected.history
    assert result.coefficients == expected.coefficients
