"""Time every way of training the tutorial model, side by side, against a floor.

``python -m legendre.benchmark`` (or ``nox -s bench``) prints a table with, for
each data size ``n`` and method, the median time per training step, the time
per data point, the ratio to the tutorial's original loop and to the floor, and
the peak memory a run needs beyond its data. Under the table it checks the
project's performance targets (see :func:`targets`). ``--help`` lists the
options.

The methods are the tutorial's loop as it is written there (``original``), the
four ``method=`` choices of :func:`legendre.fit`, and ``floor``: the same step
written as one C loop (compiled at run time with ``-O3 -march=native
-ffast-math``, with OpenMP on large data, and called through :mod:`ctypes`).
The floor is what this arithmetic costs on this CPU when nothing but the
arithmetic runs; it needs a C compiler and is left out without one.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from ..functions import LegendrePolynomial3
from ..trainer import TUTORIAL_INIT, TUTORIAL_LR, fit

#: Everything :func:`run` can time, in table order.
METHODS = ("original", "function", "autograd", "fused", "compiled", "floor")
#: The size of the tutorial's problem, where the overhead targets apply.
TUTORIAL_N = 2000
#: The size where the fastest method is compared with the floor.
LARGE_N = 2_000_000
#: Timed runs per method and size; the table shows their median.
REPEATS = 21
#: Memory is measured from this size on: below it an array of ``n`` is too
#: small against the page-sized steps of the measurement to count.
MEMORY_MIN_N = 1_000_000

_FLOOR_SOURCE = r"""
/* `steps` steps of gradient descent on a + b P3(c + d x): one pass over the
   data per step accumulates every sum the loss and the gradients need. */
void descend(const float *x, const float *y, long n, float *theta, float lr,
             long steps, float *losses)
{
    for (long s = 0; s < steps; s++) {
        float a = theta[0], b = theta[1], c = theta[2], d = theta[3];
        float sr = 0, srt = 0, srx = 0, srtx = 0, srtz = 0, srr = 0;
        #pragma omp parallel for reduction(+:sr,srt,srx,srtx,srtz,srr) if(n > 100000)
        for (long i = 0; i < n; i++) {
            float z = c + d * x[i];
            float t = 2.5f * z * z - 1.5f;
            float r = a + b * z * t - y[i];
            float rt = r * t;
            sr += r; srt += rt; srx += r * x[i];
            srtx += rt * x[i]; srtz += rt * z; srr += r * r;
        }
        losses[s] = srr;
        theta[0] = a - lr * 2 * sr;
        theta[1] = b - lr * 2 * srtz;
        theta[2] = c - lr * 6 * b * (srt + sr);
        theta[3] = d - lr * 6 * b * (srtx + srx);
    }
}
"""


@dataclass(frozen=True)
class Row:
    """One line of the table: a method timed at one data size.

    ``seconds_per_step`` is the median over the repeats; ``peak_bytes`` is the
    peak memory above the data (``None`` where it could not be measured);
    ``samples`` holds the seconds per step of each round, in order, so that
    two methods timed together can be compared round by round.
    """

    method: str
    n: int
    seconds_per_step: float
    peak_bytes: int | None = None
    samples: tuple[float, ...] = ()


def tutorial_data(n: int, device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """The tutorial's problem at size ``n``: ``sin`` on ``n`` points of ``[-π, π]``, float32."""
    x = torch.linspace(-math.pi, math.pi, n, dtype=torch.float32, device=device)
    return x, torch.sin(x)


def step_size(n: int) -> float:
    """The tutorial's step size rescaled to ``n`` points.

    The loss is a *sum* over the points, so its gradient grows with ``n``;
    scaling the step by ``2000 / n`` keeps the tutorial's trajectory (a step
    of ``5e-6`` diverges within a few steps from about 5000 points on).
    """
    return TUTORIAL_LR * 2000 / n


def original_loop(x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> float:
    """The tutorial's training loop as it stands there, minus the printing; returns the last loss.

    Like the tutorial it reads the loss back to the host every 100 steps.
    """
    a, b, c, d = (
        torch.full((), value, dtype=x.dtype, device=x.device, requires_grad=True)
        for value in TUTORIAL_INIT
    )
    last = math.nan
    for t in range(steps):
        p3 = LegendrePolynomial3.apply
        loss = (a + b * p3(c + d * x) - y).pow(2).sum()
        if t % 100 == 99:
            last = loss.item()
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            c -= lr * c.grad
            d -= lr * d.grad
        a.grad = b.grad = c.grad = d.grad = None
    return last


@functools.cache
def build_floor() -> Callable[[torch.Tensor, torch.Tensor, int, float], float] | None:
    """Compile the C floor; ``None`` when no C compiler is found.

    The returned callable takes float32 CPU tensors ``x, y``, a step count
    and a step size, and returns the last loss.
    """
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        return None
    # A loaded library stays mapped after its file is gone: the folder goes at once.
    with tempfile.TemporaryDirectory(prefix="legendre-floor-", ignore_cleanup_errors=True) as tmp:
        source, library = Path(tmp, "floor.c"), Path(tmp, "floor.so")
        source.write_text(_FLOOR_SOURCE)
        base = [compiler, "-O3", "-march=native", "-ffast-math", "-shared", "-fPIC"]
        for extra in (["-fopenmp"], []):  # OpenMP when the compiler has it
            done = subprocess.run(
                [*base, *extra, str(source), "-o", str(library)], capture_output=True, check=False
            )
            if done.returncode == 0:
                break
        else:
            return None
        descend = ctypes.CDLL(str(library)).descend
    pointer = ctypes.POINTER(ctypes.c_float)
    descend.argtypes = [pointer, pointer, ctypes.c_long, pointer, ctypes.c_float]
    descend.argtypes += [ctypes.c_long, pointer]
    descend.restype = None

    def floor(x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> float:
        x, y = x.cpu().float().contiguous(), y.cpu().float().contiguous()
        theta = torch.tensor(TUTORIAL_INIT, dtype=torch.float32)
        losses = torch.empty(max(steps, 1), dtype=torch.float32)

        def address(tensor: torch.Tensor) -> ctypes._Pointer:
            return ctypes.cast(tensor.data_ptr(), pointer)

        descend(address(x), address(y), x.numel(), address(theta), lr, steps, address(losses))
        return float(losses[steps - 1]) if steps else math.nan

    return floor


def _runner(method: str, x: torch.Tensor, y: torch.Tensor, steps: int) -> Callable[[], object]:
    lr = step_size(x.numel())
    if method == "original":
        return lambda: original_loop(x, y, steps, lr)
    if method == "floor":
        floor = build_floor()
        if floor is None:
            raise RuntimeError("the floor needs a C compiler (cc or gcc), and none was found")
        return lambda: floor(x, y, steps, lr)
    return lambda: fit(x, y, steps=steps, lr=lr, log_every=None, method=method)


def default_steps(n: int) -> int:
    """Steps per timed run: the tutorial's whole run of 2000 steps at its size of 2000 points.

    A run is a whole :func:`~legendre.fit`, checks and set-up included, as a
    user would call it; 2000 steps spread that fixed cost as the tutorial
    does. Larger data get fewer steps (at least 20), so that the methods still
    take turns often.
    """
    return max(20, min(2000, 4_000_000 // n))


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
    runners = {method: _runner(method, x, y, steps) for method in methods}
    warmers = {method: _runner(method, x, y, 1) for method in methods}
    sync = torch.cuda.synchronize if x.device.type == "cuda" else lambda: None
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


def compile_seconds(n: int, device: str | torch.device = "cpu") -> float:
    """Wall time of the first ``fit(method="compiled")`` call at size ``n`` in this process."""
    x, y = tutorial_data(n, device)
    start = time.perf_counter()
    fit(x, y, steps=1, lr=step_size(n), log_every=None, method="compiled")
    return time.perf_counter() - start


def peak_memory(
    method: str, n: int, *, steps: int = 3, device: str | torch.device = "cpu"
) -> int | None:
    """Peak bytes a run of ``method`` needs beyond its data, or ``None`` if unmeasurable.

    On CUDA this reads the caching allocator's peak. On the CPU torch keeps no
    such count, so a fresh interpreter runs the method once (to load
    libraries and compile), resets the kernel's peak-RSS mark through
    ``/proc/self/clear_refs``, runs it again and reports the rise of the peak
    over the memory in use before the run (Linux only). Large blocks are
    returned to the system as soon as they are freed, so that earlier,
    recycled memory cannot hide new allocations.
    """
    device = torch.device(device)
    if device.type == "cuda":
        x, y = tutorial_data(n, device)
        run_once = _runner(method, x, y, steps)
        run_once()
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        run_once()
        return torch.cuda.max_memory_allocated(device) - before
    if device.type != "cpu" or not Path("/proc/self/clear_refs").exists():
        return None
    code = f"from legendre.benchmark import _child_peak; _child_peak({method!r}, {n}, {steps})"
    environment = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring the memory of {method!r} failed:\n{done.stderr}")
    return int(done.stdout.split()[-1])


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _child_peak(method: str, n: int, steps: int) -> None:
    x, y = tutorial_data(n)
    run_once = _runner(method, x, y, steps)
    run_once()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark
    before = _status_kib("VmRSS")
    run_once()
    print(1024 * max(0, _status_kib("VmHWM") - before))


def run(
    sizes: Sequence[int] = (TUTORIAL_N, LARGE_N),
    methods: Sequence[str] = METHODS,
    *,
    repeats: int = REPEATS,
    device: str | torch.device = "cpu",
    memory: bool = True,
) -> list[Row]:
    """Time (and measure the memory of) every method at every size; see :func:`format_table`."""
    unknown = [method for method in methods if method not in METHODS]
    if unknown:
        raise ValueError(f"methods must be among {', '.join(METHODS)}; got {unknown}")
    device = torch.device(device)
    if "floor" in methods and (device.type != "cpu" or build_floor() is None):
        methods = [method for method in methods if method != "floor"]
    rows = []
    for n in sizes:
        rounds = time_rounds(methods, n, repeats=repeats, device=device)
        for method in methods:
            peak = None
            if memory and method != "floor" and n >= MEMORY_MIN_N:
                peak = peak_memory(method, n, device=device)
            times = rounds[method]
            rows.append(Row(method, n, statistics.median(times), peak, tuple(times)))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a text table, with ratios to the original loop and to the floor."""
    per_n: dict[int, dict[str, Row]] = {}
    for row in rows:
        per_n.setdefault(row.n, {})[row.method] = row
    header = (
        f"{'n':>9}  {'method':<9} {'µs/step':>10} {'ns/point':>9} "
        f"{'÷ original':>10} {'÷ floor':>8} {'peak extra':>11} {'arrays of n':>11}"
    )
    lines = [header, "-" * len(header)]
    for n, by_method in per_n.items():
        original, floor = by_method.get("original"), by_method.get("floor")
        for method, row in by_method.items():
            seconds = row.seconds_per_step

            def ratio(reference: Row | None, seconds: float = seconds) -> str:
                return f"{seconds / reference.seconds_per_step:.3g}" if reference else "-"

            if row.peak_bytes is None:
                memory = arrays = "-"
            else:
                memory = f"{row.peak_bytes / 2**20:.2f} MiB"
                arrays = f"{row.peak_bytes / (4 * n):.2f}"  # float32 arrays of n points
            lines.append(
                f"{n:>9}  {method:<9} {seconds * 1e6:>10.2f} {seconds * 1e9 / n:>9.3f} "
                f"{ratio(original):>10} {ratio(floor):>8} {memory:>11} {arrays:>11}"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """One of the performance targets, as measured: ``value`` against ``limit``.

    ``spread`` is the range of the middle half of the per-round ratios, when
    the value is a ratio of two methods timed together.
    """

    name: str
    value: float
    limit: float
    at_most: bool  # the value must be at most the limit (else at least)
    spread: tuple[float, float] | None = None

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    @property
    def resolved(self) -> bool:
        """False when the limit lies inside the spread: the rounds disagree on it."""
        return self.spread is None or not self.spread[0] <= self.limit <= self.spread[1]

    def __str__(self) -> str:
        sign = "<=" if self.at_most else ">="
        verdict = "met" if self.met else "NOT MET"
        spread = ""
        if self.spread is not None:
            spread = f", middle half of the rounds {self.spread[0]:.3g}-{self.spread[1]:.3g}"
            if not self.resolved:
                verdict += " by the median, but the rounds scatter across the target"
        return f"{self.name}: {self.value:.3g} (target {sign} {self.limit:g}{spread}) {verdict}"


def _ratio(top: Row, bottom: Row) -> tuple[float, tuple[float, float] | None]:
    """``top`` over ``bottom``: the median of the round-by-round ratios where both
    were timed in the same rounds (a slow spell then cancels out), with the range
    of their middle half; else the ratio of the medians."""
    if top.samples and len(top.samples) == len(bottom.samples):
        ratios = sorted(a / b for a, b in zip(top.samples, bottom.samples, strict=True))
        quarter = len(ratios) // 4
        return statistics.median(ratios), (ratios[quarter], ratios[-1 - quarter])
    return top.seconds_per_step / bottom.seconds_per_step, None


def targets(rows: Sequence[Row]) -> list[Target]:
    """The project's performance targets that ``rows`` hold the measurements for.

    * at the tutorial's size, ``fit(method="function")`` takes at most 1.05
      times the original loop's time, and ``"fused"`` is at least 10 times
      faster than the original loop;
    * at two million points, the fastest method takes at most 3 times the floor;
    * at two million points, ``"fused"`` needs at most 3 arrays of ``n`` beyond
      its data.
    """
    found = {(row.method, row.n): row for row in rows}
    measured = []
    original = found.get(("original", TUTORIAL_N))
    function, fused = found.get(("function", TUTORIAL_N)), found.get(("fused", TUTORIAL_N))
    if original and function:
        name = f"function / original at n={TUTORIAL_N}"
        value, spread = _ratio(function, original)
        measured.append(Target(name, value, 1.05, at_most=True, spread=spread))
    if original and fused:
        name = f"original / fused at n={TUTORIAL_N}"
        value, spread = _ratio(original, fused)
        measured.append(Target(name, value, 10, at_most=False, spread=spread))
    floor = found.get(("floor", LARGE_N))
    timed = [row for row in rows if row.n == LARGE_N and row.method not in ("floor", "original")]
    if floor and timed:
        fastest = min(timed, key=lambda row: row.seconds_per_step)
        name = f"fastest ({fastest.method}) / floor at n={LARGE_N:.0e}"
        value, spread = _ratio(fastest, floor)
        measured.append(Target(name, value, 3, at_most=True, spread=spread))
    fused_memory = found.get(("fused", LARGE_N))
    if fused_memory is not None and fused_memory.peak_bytes is not None:
        arrays = fused_memory.peak_bytes / (4 * LARGE_N)
        name = f"fused peak extra memory at n={LARGE_N:.0e}, in arrays of n"
        measured.append(Target(name, arrays, 3, at_most=True))
    return measured


def keep_freed_memory() -> bool:
    """Ask glibc's ``malloc`` to keep freed memory for reuse; ``True`` if it agreed.

    By default glibc hands large freed blocks back to the system and adapts
    its thresholds as it goes, so whether the next method's arrays come back
    as fresh pages (and page-fault, several thousand times per step at two
    million points) depends on which method ran before. Fixed thresholds give
    every method the steady state it would reach on its own. This lasts for
    the rest of the process; other C libraries are left alone (``False``).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    if not hasattr(libc, "mallopt"):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    # 32 MiB is the largest mmap threshold glibc accepts on 64-bit systems.
    return bool(
        libc.mallopt(m_mmap_threshold, 32 << 20) and libc.mallopt(m_trim_threshold, 1 << 30)
    )


def machine(device: str | torch.device = "cpu") -> str:
    """One line on what the timings ran on, including how busy the CPU was."""
    line = f"torch {torch.__version__} on {torch.device(device)}; "
    line += f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs"
    if hasattr(os, "getloadavg"):
        # other processes on a shared machine slow everything down, unevenly
        line += f", load average {os.getloadavg()[0]:.1f}"
    return line


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: ``python -m legendre.benchmark --help``."""
    parser = argparse.ArgumentParser(
        prog="python -m legendre.benchmark", description=__doc__.split("\n\n")[0]
    )
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
    print(f"{machine(device)}; float32 data, median of {options.repeats} runs per method")
    if "compiled" in options.methods:
        for n in options.sizes:
            print(f"compiling for n={n}: {compile_seconds(n, device):.1f} s (first call)")
    rows = run(
        options.sizes,
        options.methods,
        repeats=options.repeats,
        device=device,
        memory=options.memory,
    )
    print(format_table(rows))
    for target in targets(rows):
        print(target)
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


if __name__ == "__main__":
    main()
