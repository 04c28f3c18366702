"""fit(method=...): every way of computing a step follows the tutorial's trajectory."""

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from legendre import DivergenceError, fit, fused
from legendre.benchmark import peak_memory
from legendre.fused import FusedStep, has_aot_packages, steps_per_call

# inductor compiles C++ on the CPU; without a compiler "compiled" cannot run at all.
needs_aot_packages = pytest.mark.skipif(
    not has_aot_packages(), reason="method='aot' needs torch 2.6 or newer (AOTInductor packages)"
)
needs_compiler = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("c++") is None,
    reason="method='compiled' needs a C++ compiler for torch.compile on the CPU",
)
# torch 2.13's inductor still calls torch.jit.script_method internally, which warns.
inductor_warns = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script_method` is deprecated:DeprecationWarning"
)
METHODS = [
    "autograd",
    "fused",
    pytest.param("compiled", marks=[needs_compiler, inductor_warns]),
    pytest.param("aot", marks=[needs_compiler, needs_aot_packages, inductor_warns]),
]


@pytest.fixture(autouse=True)
def short_aot_chunks(monkeypatch):
    # The chunk's length changes only how many steps are unrolled, and compiling 20 of
    # them takes 40 s: these tests compile chunks of 3, which end in partial chunks just
    # as often. The performance page's build runs the 20-step chunk that ships and checks
    # its loss (docs/references.toml).
    monkeypatch.setattr(fused, "CHUNK", 3)


@pytest.fixture(scope="module")
def data() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(-math.pi, math.pi, 2000)
    return x, torch.sin(x)


@pytest.fixture(scope="module")
def reference(data):
    """The default method, which test_trainer.py checks against the original tutorial."""
    return fit(*data, log_every=None)


@pytest.mark.parametrize("method", METHODS)
def test_method_follows_the_tutorial_trajectory(data, reference, method):
    result = fit(*data, log_every=None, method=method)
    assert len(result.history) == 2000
    np.testing.assert_allclose(result.history, reference.history, rtol=1e-5)
    np.testing.assert_allclose(result.coefficients, reference.coefficients, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("method", METHODS)
def test_method_prints_the_same_log_lines(data, reference, method, capsys):
    fit(*data, steps=300, method=method)
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in lines[:-1]] == [99, 199, 299]
    logged = [float(line.split()[1]) for line in lines[:-1]]
    np.testing.assert_allclose(logged, [reference.history[s] for s in (99, 199, 299)], rtol=1e-5)
    assert lines[-1].startswith("Result: y = ")


def test_fused_matches_autograd_in_double_precision_to_rounding(data):
    x, y = (t.double() for t in data)
    fused = fit(x, y, steps=500, log_every=None, method="fused")
    plain = fit(x, y, steps=500, log_every=None, method="autograd")
    np.testing.assert_allclose(fused.history, plain.history, rtol=1e-12)
    np.testing.assert_allclose(fused.coefficients, plain.coefficients, rtol=1e-10, atol=1e-14)


def test_fused_first_step_matches_hand_computed_gradients():
    # An oracle written with numpy in float64: the gradients of sum((a + b P3(c + d x) - y)^2).
    x64 = np.linspace(-1.0, 1.0, 7)
    y64 = np.cos(x64)
    a, b, c, d = 0.1, -0.7, 0.2, 0.9
    z = c + d * x64
    p3, dp3 = 0.5 * (5 * z**3 - 3 * z), 1.5 * (5 * z**2 - 1)
    r = a + b * p3 - y64
    grad = np.array(
        [2 * r.sum(), 2 * (r * p3).sum(), 2 * b * (r * dp3).sum(), 2 * b * (r * dp3 * x64).sum()]
    )
    theta = torch.tensor([a, b, c, d], dtype=torch.float64)
    loss = FusedStep(theta, torch.from_numpy(x64), torch.from_numpy(y64), lr=0.01)()
    assert float(loss) == pytest.approx((r**2).sum(), rel=1e-14)
    np.testing.assert_allclose(theta.numpy(), [a, b, c, d] - 0.01 * grad, rtol=1e-13)


@needs_compiler
@inductor_warns
def test_compiled_step_sums_long_data_row_by_row_and_the_rest():
    # Longer than two rows of 4096: the compiled step sums full rows, then the 5 points left.
    n = 2 * 4096 + 5
    x = torch.linspace(-math.pi, math.pi, n)
    lr = 5e-6 * 2000 / n
    compiled = fit(x, torch.sin(x), steps=5, lr=lr, log_every=None, method="compiled")
    plain = fit(x, torch.sin(x), steps=5, lr=lr, log_every=None, method="autograd")
    np.testing.assert_allclose(compiled.history, plain.history, rtol=1e-5)
    np.testing.assert_allclose(compiled.coefficients, plain.coefficients, rtol=1e-5, atol=1e-7)


@needs_compiler
@needs_aot_packages
@inductor_warns
@pytest.mark.parametrize(("steps", "log_every"), [(0, 100), (1, None), (47, 7), (130, None)])
def test_aot_runs_any_number_of_steps_with_the_logged_losses(data, steps, log_every, capsys):
    # Chunks of fused.CHUNK steps: a count that is no multiple of it ends in a partial chunk,
    # whose unused steps must leave the parameters alone.
    fused = fit(*data, steps=steps, log_every=log_every, method="fused")
    printed = capsys.readouterr().out
    aot = fit(*data, steps=steps, log_every=log_every, method="aot")
    assert len(aot.history) == steps
    np.testing.assert_allclose(aot.history, fused.history, rtol=1e-5)
    np.testing.assert_allclose(aot.coefficients, fused.coefficients, rtol=1e-5, atol=1e-7)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [line.split()[0] for line in printed.splitlines()]


@needs_compiler
@needs_aot_packages
@inductor_warns
def test_aot_runs_long_data_one_step_per_call():
    # From 2 * 4096 points each call runs one step, whose sums go row by row.
    n = 2 * 4096 + 5
    assert steps_per_call(n) == 1
    assert steps_per_call(2000) == fused.CHUNK
    x = torch.linspace(-math.pi, math.pi, n)
    lr = 5e-6 * 2000 / n
    aot = fit(x, torch.sin(x), steps=5, lr=lr, log_every=None, method="aot")
    plain = fit(x, torch.sin(x), steps=5, lr=lr, log_every=None, method="autograd")
    np.testing.assert_allclose(aot.history, plain.history, rtol=1e-5)
    np.testing.assert_allclose(aot.coefficients, plain.coefficients, rtol=1e-5, atol=1e-7)


@needs_aot_packages  # only method="aot" uses the switch; torch 2.4 has no init_backend_registration
def test_small_buffers_on_the_stack_puts_inductor_back_as_it_was():
    from torch._inductor import config
    from torch._inductor.codegen import common

    common.init_backend_registration()
    before = common.device_codegens["cpu"].cpp_wrapper_codegen
    with fused._small_buffers_on_the_stack():
        assert config.aot_inductor.allow_stack_allocation
        assert common.device_codegens["cpu"].cpp_wrapper_codegen is not before
    assert not config.aot_inductor.allow_stack_allocation
    assert common.device_codegens["cpu"].cpp_wrapper_codegen is before


@needs_aot_packages
def test_small_buffers_on_the_stack_does_nothing_on_an_inductor_without_the_switch(monkeypatch):
    from torch._inductor import config
    from torch._inductor.codegen import common

    common.init_backend_registration()
    monkeypatch.setattr(common, "device_codegens", {})  # no CPU wrapper to swap
    with fused._small_buffers_on_the_stack():
        assert not config.aot_inductor.allow_stack_allocation


def test_fused_accepts_data_of_any_shape(data):
    x, y = data
    flat = fit(x, y, steps=50, log_every=None, method="fused")
    square = fit(x.reshape(40, 50), y.reshape(40, 50), steps=50, log_every=None, method="fused")
    assert square.history == flat.history


def test_fused_leaves_the_data_untouched(data):
    x, y = data
    before = x.clone(), y.clone()
    fit(x, y, steps=20, log_every=None, method="fused")
    assert torch.equal(x, before[0])
    assert torch.equal(y, before[1])


@pytest.mark.parametrize("method", ["function", *METHODS])
def test_divergence_is_reported_at_the_same_step_by_every_method(data, method):
    with pytest.raises(DivergenceError) as expected:
        fit(*data, lr=1.0, log_every=None)
    with pytest.raises(DivergenceError, match="lr=1 is probably too large") as info:
        fit(*data, lr=1.0, log_every=None, method=method)
    assert info.value.step == expected.value.step


@pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="peak memory is measured on Linux only"
)
def test_fused_needs_at_most_three_arrays_beyond_the_data():
    n = 2_000_000  # 8 MB per float32 array: far above the noise of the measurement
    extra = peak_memory("fused", n) / (4 * n)
    assert 2.5 < extra < 3.3
    # and the check can see more: autograd keeps several arrays of n per step alive
    assert peak_memory("autograd", n) / (4 * n) > 4


def test_aot_on_a_torch_without_its_packages_says_which_torch_it_needs(monkeypatch):
    monkeypatch.setattr(fused, "has_aot_packages", lambda: False)
    x = torch.linspace(-1, 1, 10)
    with pytest.raises(RuntimeError, match=r"method='aot' needs torch 2\.6 or newer"):
        fit(x, x, steps=1, method="aot")


@pytest.mark.parametrize("method", ["fused", "compiled", "aot"])
@pytest.mark.parametrize(
    ("option", "value"), [("degree", 3), ("optimizer", "adam"), ("optimizer", "lbfgs")]
)
def test_hand_derived_methods_reject_other_models_and_optimizers(method, option, value):
    x = torch.linspace(-1, 1, 10)
    with pytest.raises(ValueError, match=rf"method='{method}' computes the gradients.*{value}"):
        fit(x, x, steps=1, method=method, **{option: value})


@pytest.mark.parametrize("method", ["Fused", "jit", None, ""])
def test_unknown_method_is_a_clear_error(method):
    x = torch.linspace(-1, 1, 10)
    with pytest.raises(
        ValueError, match=r"method must be one of 'function', .*'compiled', 'aot'; got"
    ):
        fit(x, x, steps=1, method=method)
