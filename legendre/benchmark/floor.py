"""The floor: the tutorial's step as one C loop, compiled at run time and called through ctypes.

It is compiled with ``-O3 -march=native -ffast-math`` (and OpenMP on large
data, where the compiler has it). The floor is what this arithmetic costs on
this CPU when nothing but the arithmetic runs; it needs a C compiler, and
:func:`build_floor` returns ``None`` without one.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import torch

from ..trainer import TUTORIAL_INIT

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

        def address(tensor: torch.Tensor) -> ctypes._Pointer[ctypes.c_float]:
            return ctypes.cast(tensor.data_ptr(), pointer)

        descend(address(x), address(y), x.numel(), address(theta), lr, steps, address(losses))
        return float(losses[steps - 1]) if steps else math.nan

    return floor
