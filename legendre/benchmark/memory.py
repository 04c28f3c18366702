"""How much memory a run needs beyond its data, and how ``malloc`` is asked to keep it."""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
from pathlib import Path

import torch

from .workloads import runner, tutorial_data

#: Memory is measured from this size on: below it an array of ``n`` is too
#: small against the page-sized steps of the measurement to count.
MEMORY_MIN_N = 1_000_000


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
        run_once = runner(method, x, y, steps)
        run_once()
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        run_once()
        return torch.cuda.max_memory_allocated(device) - before
    if device.type != "cpu" or not Path("/proc/self/clear_refs").exists():
        return None
    code = (
        f"from legendre.benchmark.memory import _child_peak; _child_peak({method!r}, {n}, {steps})"
    )
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
    run_once = runner(method, x, y, steps)
    run_once()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark
    before = _status_kib("VmRSS")
    run_once()
    print(1024 * max(0, _status_kib("VmHWM") - before))


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
