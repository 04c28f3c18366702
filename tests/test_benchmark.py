"""The benchmark times what it claims to: the original loop and the floor compute the same fit."""

import pytest

from legendre import fit
from legendre.benchmark import (
    Row,
    build_floor,
    format_table,
    original_loop,
    run,
    targets,
    tutorial_data,
)


def test_original_loop_is_the_tutorials_loop_step_for_step():
    x, y = tutorial_data(2000)
    reference = fit(x, y, steps=100, log_every=None)
    assert original_loop(x, y, steps=100, lr=5e-6) == reference.history[99]


def test_floor_runs_the_same_arithmetic_as_fit():
    floor = build_floor()
    if floor is None:
        pytest.skip("the floor needs a C compiler")
    x, y = tutorial_data(2000)
    reference = fit(x, y, steps=300, log_every=None, method="fused")
    # float32 sums in another order (-ffast-math): equal up to rounding, not bit for bit
    assert floor(x, y, 300, 5e-6) == pytest.approx(reference.history[-1], rel=1e-4)


def test_table_states_ratios_to_the_original_loop_and_the_floor():
    rows = [
        Row("original", 1000, 200e-6, 6 * 4000),
        Row("fused", 1000, 20e-6, 3 * 4000),
        Row("floor", 1000, 1e-6),
    ]
    table = {line.split()[1]: line.split() for line in format_table(rows).splitlines()[2:]}
    assert table["fused"][:6] == ["1000", "fused", "20.00", "20.000", "0.1", "20"]
    assert table["fused"][-1] == "3.00"  # arrays of n
    assert table["original"][4:6] == ["1", "200"]
    assert table["floor"][-2:] == ["-", "-"]  # the floor's memory is not measured


def test_unknown_method_is_a_clear_error():
    with pytest.raises(ValueError, match="methods must be among"):
        run([10], ["fastest"])


def test_benchmark_module_stays_out_of_import_legendre():
    # it imports subprocess, ctypes and friends; `import legendre` must not pay for them
    import subprocess
    import sys

    code = "import sys, legendre; print('legendre.benchmark' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_targets_are_read_from_the_rows_they_concern():
    rows = [
        Row("original", 2000, 400e-6),
        Row("function", 2000, 412e-6),
        Row("fused", 2000, 50e-6),
        Row("original", 2_000_000, 20e-3),
        Row("fused", 2_000_000, 6e-3, peak_bytes=int(3.2 * 4 * 2_000_000)),
        Row("compiled", 2_000_000, 0.9e-3),
        Row("floor", 2_000_000, 0.25e-3),
    ]
    found = {target.name: target for target in targets(rows)}
    assert len(found) == 4
    function, fused, fastest, memory = found.values()
    assert (function.value, function.met) == (pytest.approx(1.03), True)
    assert (fused.value, fused.met) == (pytest.approx(8.0), False)
    assert "compiled" in fastest.name
    assert (fastest.value, fastest.met) == (pytest.approx(3.6), False)
    assert (memory.value, memory.met) == (pytest.approx(3.2), False)
    assert str(fused) == "original / fused at n=2000: 8 (target >= 10) NOT MET"


def test_targets_skip_what_was_not_measured():
    assert targets([Row("fused", 2000, 50e-6)]) == []


def test_benchmark_keeps_freed_memory_on_linux():
    # in a child process: the setting would otherwise stay with the test process
    import subprocess
    import sys

    code = "from legendre.benchmark import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sys.platform.startswith("linux"))


def test_ratios_of_methods_timed_together_are_taken_round_by_round():
    # A slow spell that hits both methods in the same round cancels out.
    original = Row("original", 2000, 0.0, samples=(1.0, 5.0, 1.0, 1.0, 5.0))
    function = Row("function", 2000, 0.0, samples=(1.02, 5.1, 1.02, 1.02, 5.1))
    (target,) = targets([original, function])
    assert target.value == pytest.approx(1.02)
    assert target.spread == (pytest.approx(1.02), pytest.approx(1.02))
    assert "middle half of the rounds 1.02-1.02" in str(target)


def test_round_ratios_follow_the_order_of_the_rounds():
    original = Row("original", 2000, 0.0, samples=(1.0, 2.0, 3.0))
    fused = Row("fused", 2000, 0.0, samples=(0.1, 0.4, 0.1))
    (target,) = targets([original, fused])
    assert target.value == pytest.approx(10.0)  # rounds: 10, 5, 30
    assert target.spread == (pytest.approx(5.0), pytest.approx(30.0))


def test_a_target_inside_the_scatter_of_the_rounds_is_reported_as_unresolved():
    original = Row("original", 2000, 0.0, samples=(1.0, 1.0, 1.0, 1.0, 1.0))
    function = Row("function", 2000, 0.0, samples=(0.98, 1.02, 1.06, 1.09, 1.0))
    (target,) = targets([original, function])
    assert target.spread == (pytest.approx(1.0), pytest.approx(1.06))
    assert target.met
    assert not target.resolved
    assert str(target).endswith("met by the median, but the rounds scatter across the target")


def test_the_installed_version_is_the_one_written_in_the_package():
    from importlib.metadata import version

    import legendre

    assert legendre.__version__ == version("legendre")
