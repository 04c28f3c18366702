"""Time every way of training the tutorial model, side by side, against a floor.

``python -m legendre.benchmark`` (or ``nox -s bench``) prints a table with, for
each data size ``n`` and method, the median time per training step, the time
per data point, the ratio to the tutorial's original loop and to the floor, and
the peak memory a run needs beyond its data. ``--help`` lists the options.

The methods are the tutorial's loop as it is written there (``original``), the
``method=`` choices of :func:`legendre.fit`, and ``floor``: the same step
written as one C loop (compiled at run time with ``-O3 -march=native
-ffast-math``, with OpenMP on large data, and called through :mod:`ctypes`).
The floor is what this arithmetic costs on this CPU when nothing but the
arithmetic runs; it needs a C compiler and is left out without one.

One module per job: :mod:`~legendre.benchmark.workloads` (the problem and each
method as a callable), :mod:`~legendre.benchmark.floor` (the C loop),
:mod:`~legendre.benchmark.timing` (methods in turns, :func:`run`),
:mod:`~legendre.benchmark.memory` (peak memory, ``malloc``'s thresholds),
:mod:`~legendre.benchmark.table` and :mod:`~legendre.benchmark.cli`;
:mod:`~legendre.benchmark.targets` checks the project's performance targets
against a run (``nox -s bench``).
``import legendre`` imports none of them.
"""

from .cli import main
from .floor import build_floor
from .memory import MEMORY_MIN_N, keep_freed_memory, peak_memory
from .table import Row, format_table, middle_half, round_ratio
from .timing import (
    COMPILED,
    REPEATS,
    break_even,
    compile_seconds,
    machine,
    run,
    time_rounds,
)
from .workloads import (
    LARGE_N,
    METHODS,
    TUTORIAL_N,
    default_steps,
    original_loop,
    step_size,
    tutorial_data,
)

__all__ = [
    "COMPILED",
    "LARGE_N",
    "MEMORY_MIN_N",
    "METHODS",
    "REPEATS",
    "TUTORIAL_N",
    "Row",
    "break_even",
    "build_floor",
    "compile_seconds",
    "default_steps",
    "format_table",
    "keep_freed_memory",
    "machine",
    "main",
    "middle_half",
    "original_loop",
    "peak_memory",
    "round_ratio",
    "run",
    "step_size",
    "time_rounds",
    "tutorial_data",
]
