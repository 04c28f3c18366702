"""The benchmark times what it claims to: the original loop and the floor compute the same fit."""

import pytest

from legendre import fit, trainer
from legendre.benchmark import (
    METHODS,
    Row,
    break_even,
    build_floor,
    format_table,
    middle_half,
    original_loop,
    run,
    tutorial_data,
)
from legendre.benchmark.cli import after


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
    # no per-round samples: no middle half
    assert table["fused"][:7] == ["1000", "fused", "20.00", "-", "20.000", "0.1", "20"]
    assert table["fused"][-1] == "3.00"  # arrays of n
    assert table["original"][5:7] == ["1", "200"]
    assert table["floor"][-2:] == ["-", "-"]  # the floor's memory is not measured


def test_table_shows_the_middle_half_of_the_rounds():
    rounds = (9e-6, 1e-6, 2e-6, 4e-6, 3e-6, 8e-6, 5e-6, 6e-6)  # quartiles: 3 and 6 µs
    (line,) = format_table([Row("fused", 1000, 4.5e-6, samples=rounds)]).splitlines()[2:]
    assert line.split()[2:4] == ["4.50", "3-6"]
    assert middle_half(rounds) == (3e-6, 6e-6)


def test_compiling_pays_for_itself_when_the_steps_it_saves_add_up_to_its_time():
    # 60 s of compiling, 10 µs saved per step: six million steps
    assert break_even(60.0, slower=12e-6, faster=2e-6) == pytest.approx(6e6)
    assert break_even(60.0, slower=2e-6, faster=2e-6) == float("inf")
    assert after(6e6) == "after 6,000,000 steps"
    assert after(float("inf")) == "never: its step is slower"


def test_unknown_method_is_a_clear_error():
    with pytest.raises(ValueError, match="methods must be among"):
        run([10], ["fastest"])


def test_benchmark_times_every_method_of_fit_between_the_original_loop_and_the_floor():
    assert ("original", *trainer.METHODS, "floor") == METHODS


def test_command_line_lists_its_options():
    import subprocess
    import sys

    command = [sys.executable, "-m", "legendre.benchmark", "--help"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert out.startswith("usage: python -m legendre.benchmark")
    assert "--methods {original,function,autograd,fused,compiled,aot,floor}" in out


def test_benchmark_module_stays_out_of_import_legendre():
    # it imports subprocess, ctypes and friends; `import legendre` must not pay for them
    import subprocess
    import sys

    code = "import sys, legendre; print('legendre.benchmark' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_benchmark_keeps_freed_memory_on_linux():
    # in a child process: the setting would otherwise stay with the test process
    import subprocess
    import sys

    code = "from legendre.benchmark import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sys.platform.startswith("linux"))


def test_the_installed_version_is_the_one_written_in_the_package():
    from importlib.metadata import version

    import legendre

    assert legendre.__version__ == version("legendre")
