"""The command line: ``python -m legendre.benchmark --help`` (``nox -s bench``).

It prints the table, then what its columns mean on this machine.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence

import torch

from .memory import MEMORY_MIN_N, keep_freed_memory
from .table import Row, format_table
from .timing import COMPILED, REPEATS, break_even, compile_seconds, machine, run
from .workloads import LARGE_N, METHODS, TUTORIAL_N

#: The first line of ``--help``.
DESCRIPTION = "Time every way of training the tutorial model, side by side, against a floor."


def after(steps: float) -> str:
    """When compiling has paid for itself, in words: ``steps`` from :func:`break_even`."""
    return f"after {steps:,.0f} steps" if math.isfinite(steps) else "never: its step is slower"


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Command-line entry point: ``python -m legendre.benchmark --help``; returns the rows."""
    parser = argparse.ArgumentParser(prog="python -m legendre.benchmark", description=DESCRIPTION)
    parser.add_argument("--sizes", type=int, nargs="+", default=[TUTORIAL_N, LARGE_N])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="timed runs per method (median)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument(
        "--threads", type=int, help="CPU threads for torch and the floor (default: all)"
    )
    options = parser.parse_args(argv)
    if options.threads is not None:
        # On a busy machine, threads that wait for each other can cost more than they save.
        torch.set_num_threads(options.threads)
        os.environ["OMP_NUM_THREADS"] = str(options.threads)  # the floor and child processes
    device = torch.device(options.device)
    kept = keep_freed_memory()
    print(f"{machine(device)}; float32 data, {options.repeats} rounds: median and middle half")
    # Compiling is timed first and apart: the rounds below time the steps alone.
    compiling = {
        (method, n): compile_seconds(n, device, method)
        for method in COMPILED
        if method in options.methods
        for n in options.sizes
    }
    for (method, n), seconds in compiling.items():
        print(f"{method}: compiling for n={n} took {seconds:.1f} s (first call)")
    rows = run(
        options.sizes,
        options.methods,
        repeats=options.repeats,
        device=device,
        memory=options.memory,
    )
    print(format_table(rows))
    per_step = {(row.method, row.n): row.seconds_per_step for row in rows}
    for (method, n), seconds in compiling.items():
        if ("fused", n) in per_step:
            steps = break_even(seconds, per_step["fused", n], per_step[method, n])
            print(f"{method} at n={n}: compiling pays for itself against fused {after(steps)}")
    print(
        "floor: the same step as one single-pass C loop (cc -O3 -march=native -ffast-math, "
        "OpenMP above 1e5 points), called through ctypes.\n"
        f"peak extra (from n={MEMORY_MIN_N:.0e}): peak memory of a run above the memory "
        "in use before it "
        + (
            "(CUDA allocator peak)."
            if device.type == "cuda"
            else "(peak RSS of a fresh process, reset via /proc/self/clear_refs)."
        )
    )
    if kept:
        print(
            "malloc keeps freed memory (mallopt): page faults do not fall on whichever "
            "method runs next."
        )
    return rows
