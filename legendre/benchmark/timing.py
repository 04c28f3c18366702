"""Timing: the methods take turns, round after round, so that a busy spell hits them alike."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence

import torch

from .._checks import check_choices
from ..trainer import fit
from .floor import build_floor
from .memory import MEMORY_MIN_N, peak_memory
from .table import Row
from .workloads import LARGE_N, METHODS, TUTORIAL_N, default_steps, runner, step_size, tutorial_data

#: Timed runs per method and size; the table shows their median.
REPEATS = 21


def time_rounds(
    methods: Sequence[str],
    n: int,
    *,
    steps: int | None = None,
    repeats: int = REPEATS,
    device: str | torch.device = "cpu",
) -> dict[str, list[float]]:
    """Seconds per step of each method in each of ``repeats`` rounds.

    The methods run in turns, one run each per round, so a slow spell of a
    busy machine falls on all of them alike. Each is run once untimed first,
    which is when ``"compiled"`` compiles, and each timed run follows an
    untimed step of the same method, so that every run starts with the data
    in the CPU's caches.
    """
    steps = default_steps(n) if steps is None else steps
    x, y = tutorial_data(n, device)
    runners = {method: runner(method, x, y, steps) for method in methods}
    warmers = {method: runner(method, x, y, 1) for method in methods}
    on_cuda = x.device.type == "cuda"

    def sync() -> None:
        if on_cuda:
            torch.cuda.synchronize()

    for run_once in runners.values():
        run_once()
    samples: dict[str, list[float]] = {method: [] for method in methods}
    for _ in range(repeats):
        for method, run_once in runners.items():
            # One untimed step first: the method before may have pushed the data
            # out of the CPU's caches, which would cost only the method after it.
            warmers[method]()
            sync()
            start = time.perf_counter()
            run_once()
            sync()
            samples[method].append((time.perf_counter() - start) / steps)
    return samples


#: The methods that compile before their first step, and so are timed compiling.
COMPILED = ("compiled", "aot")


def compile_seconds(n: int, device: str | torch.device = "cpu", method: str = "compiled") -> float:
    """Wall time of the first one-step ``fit(method=method)`` at size ``n`` in this process.

    For ``"compiled"`` and ``"aot"`` this is almost all compiling (or, for
    ``"compiled"``, loading code that an earlier process left in torch's
    cache); later fits of the same size reuse the compiled code.
    """
    x, y = tutorial_data(n, device)
    start = time.perf_counter()
    fit(x, y, steps=1, lr=step_size(n), log_every=None, method=method)
    return time.perf_counter() - start


def break_even(compile_s: float, slower: float, faster: float) -> float:
    """Steps after which compiling for ``compile_s`` seconds has paid for itself.

    ``slower`` and ``faster`` are seconds per step without and with the
    compiled code; ``inf`` when the compiled code is not faster.
    """
    saved = slower - faster
    return compile_s / saved if saved > 0 else float("inf")


def run(
    sizes: Sequence[int] = (TUTORIAL_N, LARGE_N),
    methods: Sequence[str] = METHODS,
    *,
    repeats: int = REPEATS,
    device: str | torch.device = "cpu",
    memory: bool = True,
) -> list[Row]:
    """Time (and measure the memory of) every method at every size; see :func:`format_table`."""
    methods = check_choices("methods", methods, METHODS)
    device = torch.device(device)
    if "floor" in methods and (device.type != "cpu" or build_floor() is None):
        methods = [method for method in methods if method != "floor"]
    rows = []
    for n in sizes:
        rounds = time_rounds(methods, n, repeats=repeats, device=device)
        for method in methods:
            peak = None
            # aot's memory would be measured in a fresh process, which compiles it
            # again for minutes, so the table leaves it out.
            if memory and method not in ("floor", "aot") and n >= MEMORY_MIN_N:
                peak = peak_memory(method, n, device=device)
            times = rounds[method]
            rows.append(Row(method, n, statistics.median(times), peak, tuple(times)))
    return rows


def machine(device: str | torch.device = "cpu") -> str:
    """One line on what the timings ran on, including how busy the CPU was."""
    line = f"torch {torch.__version__} on {torch.device(device)}; "
    line += f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs"
    if hasattr(os, "getloadavg"):
        # other processes on a shared machine slow everything down, unevenly
        line += f", load average {os.getloadavg()[0]:.1f}"
    return line
