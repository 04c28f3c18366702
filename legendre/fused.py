r"""Training steps for the tutorial model with hand-derived gradients.

Autograd is general, and its generality costs time: every step of the
tutorial's loop records a graph of about twenty small operations, allocates a
fresh tensor for each, and walks the graph backwards again. Take the model:

.. math:: \hat y = a + b \, P_3(z), \qquad z = c + d x.

For the loss :math:`L = \sum r^2` with :math:`r = \hat y - y`, the gradients
are short enough to write out. With :math:`t = \tfrac52 z^2 - \tfrac32`,
:math:`P_3(z) = z t` and :math:`P_3'(z) = 3t + 3`, they are:

.. math::

   \partial_a L = 2 \sum r, \quad
   \partial_b L = 2 \sum r t z, \quad
   \partial_c L = 6 b \left(\sum r t + \sum r\right), \quad
   \partial_d L = 6 b \left(\sum r t x + \sum r x\right).

Because :math:`z = c + d x`, the sum in :math:`\partial_b L` is
:math:`c \sum r t + d \sum r t x`: four sums over the data give all four
gradients.

:class:`FusedStep` evaluates these with eleven tensor operations that write
into three rows of one buffer allocated once; :func:`compiled_step` hands the
same arithmetic to :func:`torch.compile`, which fuses it into a single pass
over the data. :func:`aot_steps` goes one further: it compiles
:data:`CHUNK` steps in a row ahead of time (AOTInductor) into one C++
function, so that on small data Python and the dispatcher are paid once per
twenty steps, not once per step.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypedDict

import torch

# The gradient is G(θ) @ (Σr, Σrt, Σrx, Σrtx), where every entry of G is
# linear in θ = (a, b, c, d): G = _G_BY_PARAMETER[k] summed with weights θ[k].
# Entry [k][i][j] is the weight of θ[k] in G[i][j].
_G_BY_PARAMETER = (
    # a: ∂a = 2 Σr does not depend on the parameters; it is in _G_CONSTANT.
    ((0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)),
    # b: ∂c = 6b (Σr + Σrt), ∂d = 6b (Σrx + Σrtx)
    ((0, 0, 0, 0), (0, 0, 0, 0), (6, 6, 0, 0), (0, 0, 6, 6)),
    # c: ∂b = 2 (c Σrt + d Σrtx)
    ((0, 0, 0, 0), (0, 2, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)),
    # d: the other half of ∂b
    ((0, 0, 0, 0), (0, 0, 0, 2), (0, 0, 0, 0), (0, 0, 0, 0)),
)
_G_CONSTANT = ((2, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0))


class _Like(TypedDict):
    """The keywords that make a new tensor like the data: ``torch.empty(n, **like)``."""

    dtype: torch.dtype
    device: torch.device


class FusedStep:
    """One step of plain gradient descent on ``a + b * P3(c + d * x)``, without autograd.

    Parameters
    ----------
    theta : torch.Tensor
        The four parameters ``(a, b, c, d)``, shape ``(4,)``; updated in place.
    x, y : torch.Tensor
        One-dimensional data of ``theta``'s dtype and device.
    lr : float
        The step size.

    Notes
    -----
    One ``(3, n)`` buffer, ``block``, is allocated once. Its rows hold
    ones, ``r`` and ``r t``; ``z`` and ``t`` pass through the last two rows
    on the way. Every other intermediate has at most sixteen elements.
    Calling the object runs one step and returns the loss *before* the update
    as a new 0-d tensor, left on the device so that the caller decides when
    to synchronise.

    At the tutorial's size each tensor operation costs far more in
    dispatching than in arithmetic, so the step is written to need few of
    them, and cheap ones: products with the row of ones and with ``x`` (two
    matrix-vector products) give the four sums, and a third gives the
    weights ``G(θ)`` that turn them into the gradient. Run it under
    :func:`torch.inference_mode`, as :func:`legendre.fit` does, to skip
    autograd's bookkeeping as well.
    """

    def __init__(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float):
        n = x.numel()
        like: _Like = {"dtype": x.dtype, "device": x.device}
        self.theta, self.x, self.y, self.lr = theta, x, y, lr
        self.a, self.b, self.c, self.d = theta.unbind()
        self.block = torch.empty((3, n), **like)
        self.block[0] = 1
        self.ones, self.r, self.rt = self.block.unbind()
        self.rows = self.block[1:]  # (r, r t)
        self.minus_1_5 = torch.tensor(-1.5, **like)
        self.sums = torch.empty(4, **like)  # Σr, Σrt, Σrx, Σrtx
        self.sums_1, self.sums_x = self.sums[:2], self.sums[2:]
        self.g_by_parameter = torch.tensor(_G_BY_PARAMETER, **like).reshape(4, 16).T.contiguous()
        self.g_constant = torch.tensor(_G_CONSTANT, **like).reshape(16)
        self.g = torch.empty(16, **like)
        self.g_matrix = self.g.view(4, 4)

    def __call__(self) -> torch.Tensor:
        r, rt = self.r, self.rt
        torch.addcmul(self.c, self.x, self.d, out=r)  # z = c + d x
        torch.addcmul(self.minus_1_5, r, r, value=2.5, out=rt)  # t = 2.5 z² - 1.5
        r.mul_(rt)  # P3(z) = z t
        torch.addcmul(self.a, r, self.b, out=r).sub_(self.y)  # the residual a + b P3(z) - y
        loss = r.dot(r)
        rt.mul_(r)  # r t
        torch.mv(self.rows, self.ones, out=self.sums_1)  # Σr, Σrt
        torch.mv(self.rows, self.x, out=self.sums_x)  # Σrx, Σrtx
        torch.addmv(self.g_constant, self.g_by_parameter, self.theta, out=self.g)  # G(θ)
        self.theta.addmv_(self.g_matrix, self.sums, alpha=-self.lr)  # θ -= lr G(θ) sums
        return loss


# Inductor adds up a float32 reduction longer than 4096 elements with a cascade
# (pairwise) helper that keeps its partial sums in memory; here that ran at half
# the speed of its plain vectorised loop. Summing rows of 4096 and then the row
# sums is about as accurate (the helper, too, sums chunks of 4096 in one go)
# and gets the plain loop.
_ROW = 4096


def _sums(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(L, Σr, Σrt, Σrx, Σrtx) over the last dimension of ``x`` and ``y``."""
    a, b, c, d = theta.unbind()
    z = c + d * x
    t = 2.5 * z * z - 1.5
    r = a + b * (z * t) - y
    rt = r * t
    return torch.stack(((r * r).sum(-1), r.sum(-1), rt.sum(-1), (r * x).sum(-1), (rt * x).sum(-1)))


def _analytic_step(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The step of :class:`FusedStep` written out of place, for :func:`torch.compile`."""
    rows = x.numel() // _ROW
    if rows < 2:
        sums = _sums(theta, x, y)
    else:
        # Full rows as a (rows, _ROW) view, then the few points left over.
        head = rows * _ROW
        sums = _sums(theta, x[:head].view(rows, _ROW), y[:head].view(rows, _ROW)).sum(-1)
        sums = sums + _sums(theta, x[head:], y[head:])
    loss, s_r, s_rt, s_rx, s_rtx = sums.unbind()
    _, b, c, d = theta.unbind()
    grad = torch.stack(
        (2 * s_r, 2 * (c * s_rt + d * s_rtx), 6 * b * (s_rt + s_r), 6 * b * (s_rtx + s_rx))
    )
    return loss, theta - lr * grad


@functools.cache
def _compiled_analytic_step() -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    # One compiled function for every fit, so that a second fit of the same
    # size, dtype and device reuses the code instead of compiling it again.
    # r is read by four of the sums; inductor's default is to store an
    # expression read that often as a whole array, which here would double
    # the memory traffic of the pass.
    return torch.compile(
        _analytic_step, dynamic=False, fullgraph=True, options={"realize_reads_threshold": 64}
    )


def compiled_step(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float
) -> Callable[[], torch.Tensor]:
    """A step like :class:`FusedStep`'s, compiled by :func:`torch.compile`.

    The first call for a given size, dtype and device compiles (seconds to
    tens of seconds; on the CPU, inductor needs a C++ compiler); later calls,
    in any fit with any step size, reuse that code. Each new data size
    compiles again, and after torch's recompile limit (eight by default) a
    further size runs uncompiled, with a warning from torch. ``theta`` is
    updated in place after each step.
    """
    compiled = _compiled_analytic_step()
    # A tensor, not a float: a float would be baked into the code and each new
    # step size would compile again.
    lr_tensor = torch.tensor(lr, dtype=x.dtype, device=x.device)

    def step() -> torch.Tensor:
        loss, new_theta = compiled(theta, x, y, lr_tensor)
        theta.copy_(new_theta)
        return loss

    return step


#: Steps per call of the ahead-of-time compiled chunk, on small data. A call
#: costs a few microseconds however many steps it runs, and compiling costs
#: more the more steps are unrolled; 20 steps spread the call below a quarter
#: of a microsecond per step, and divide the 100 steps between two checks of
#: the loss, so no call runs steps that are thrown away.
CHUNK = 20


def steps_per_call(n: int) -> int:
    """How many steps one call of :func:`aot_steps`'s compiled code runs, for ``n`` points.

    :data:`CHUNK` below ``2 * _ROW`` points, where a step sums the data in
    one go. From there on a step costs far more than a call, and one step per
    call keeps the code inductor generates for long sums fast: unrolled, the
    sums of two million points ran at a tenth of the speed of one step.
    """
    return CHUNK if n < 2 * _ROW else 1


class _Chunk(torch.nn.Module):
    """``steps`` steps of :func:`_analytic_step` in a row, of which the first ``count`` count.

    The loop is unrolled when the module is exported: the exported graph holds
    ``steps`` copies of the step, and inductor fuses them into one C++
    function. Steps from ``count`` on leave ``theta`` as it was, so one
    compiled chunk serves any number of steps.
    """

    def __init__(self, steps: int):
        super().__init__()
        self.steps = steps

    def forward(
        self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: torch.Tensor,
        count: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
        losses = []
        for k in range(self.steps):
            loss, new_theta = _analytic_step(theta, x, y, lr)
            theta = torch.where(count > k, new_theta, theta)
            losses.append(loss)
        return theta, torch.stack(losses)


#: Runs a compiled chunk: ``[theta, x, y, lr, count]`` in, ``[theta, losses]`` out.
_Runner = Callable[[list[torch.Tensor]], list[torch.Tensor]]


@contextlib.contextmanager
def _small_buffers_on_the_stack() -> Iterator[None]:
    """Let AOTInductor put a compiled function's intermediates on the C stack.

    By default the generated C++ allocates every intermediate tensor on the
    heap, through torch's allocator, each time it is called: for a chunk of
    small steps that costs more than the arithmetic. With
    ``aot_inductor.allow_stack_allocation`` inductor declares intermediates
    of fixed size as plain C arrays instead, when all of them together are
    small (inductor's own limit). Its
    outputs then live in buffers the compiled function keeps and overwrites
    on the next call: the caller copies them out before calling again.

    The switch is private to inductor, and it takes two settings: the
    config, and the C++ wrapper inductor registered for the CPU when it
    first compiled anything in this process (the array-based one only if the
    switch was on then). Both are set here and put back on leaving. On a
    torch whose inductor has neither, the block runs unchanged: the code is
    as correct, only slower on small data.
    """
    try:
        from torch._inductor import config
        from torch._inductor.codegen import common
        from torch._inductor.codegen.cpp_wrapper_cpu_array_ref import CppWrapperCpuArrayRef

        # config.patch checks its keys only on entering: ask for this one now.
        if not hasattr(config.aot_inductor, "allow_stack_allocation"):
            raise AttributeError("allow_stack_allocation")
        common.init_backend_registration()
        cpu = common.device_codegens["cpu"]
        previous = cpu.cpp_wrapper_codegen
    except (ImportError, AttributeError, KeyError):
        yield
        return
    cpu.cpp_wrapper_codegen = CppWrapperCpuArrayRef
    try:
        with config.patch({"aot_inductor.allow_stack_allocation": True}):
            yield
    finally:
        cpu.cpp_wrapper_codegen = previous


@functools.cache
def _aot_chunk(
    n: int, dtype: torch.dtype, device: torch.device, threads: int, per_call: int
) -> _Runner:
    """Export a :class:`_Chunk` of ``per_call`` steps for data of ``n`` points, compile it, load it.

    ``threads`` is a key, not an argument to use: the generated C++ fixes its
    number of OpenMP threads when it is compiled (one, below ``2 * _ROW`` points).
    The outputs of the returned function may be overwritten by its next call
    (see :func:`_small_buffers_on_the_stack`).
    """
    like: _Like = {"dtype": dtype, "device": device}
    example = (
        torch.zeros(4, **like), torch.zeros(n, **like), torch.zeros(n, **like),
        torch.tensor(1.0, **like), torch.tensor(1, device=device),
    )  # fmt: skip
    # Small chunks only: on long data the intermediates would not fit the stack
    # anyway, and a call costs little next to its one step.
    small = per_call > 1 and device.type == "cpu"
    with (
        warnings.catch_warnings(),
        tempfile.TemporaryDirectory(prefix="legendre-aot-") as folder,
        _small_buffers_on_the_stack() if small else contextlib.nullcontext(),
    ):
        # torch 2.13's export and AOTInductor check their own tree specs the way torch
        # has deprecated: a FutureWarning from inside torch, about nothing done here.
        warnings.filterwarnings("ignore", "`isinstance\\(treespec, LeafSpec\\)`", FutureWarning)
        exported = torch.export.export(_Chunk(per_call), example)
        # See _compiled_analytic_step for realize_reads_threshold. Small data run on
        # one thread: splitting a sum of a few thousand points between threads costs
        # more in waiting for them than it saves (on a busy two-core machine, a step
        # at 2000 points took more than ten times as long on two threads as on one).
        configs: dict[str, object] = {"realize_reads_threshold": 64}
        if per_call > 1:
            configs["cpp.threads"] = 1
        package = torch._inductor.aoti_compile_and_package(
            exported, package_path=str(Path(folder, "chunk.pt2")), inductor_configs=configs
        )
        # Loading unpacks the package into a folder of its own: this one can go.
        loaded = torch._inductor.aoti_load_package(package)
    # Calling `loaded` itself flattens and checks the arguments in Python, which
    # costs ten times the call below; the arguments here are always the same five
    # tensors, already in order.
    run: _Runner = loaded.loader.run
    return run


#: Runs ``count`` training steps and returns their losses, shape ``(count,)``.
Steps = Callable[[int], torch.Tensor]


def has_aot_packages() -> bool:
    """Whether this torch compiles and loads AOTInductor packages (torch 2.6 and later)."""
    import torch._inductor

    return hasattr(torch._inductor, "aoti_compile_and_package")


def aot_steps(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float) -> Steps:
    """Steps like :class:`FusedStep`'s, many per call, compiled ahead of time.

    The first call for a given size, dtype, device and thread count exports
    the chunk with ``torch.export.export`` and compiles it with
    AOTInductor (:func:`torch._inductor.aoti_compile_and_package`): a minute
    or more, and on the CPU it needs a C++ compiler. Later calls, in any fit
    with any step size, reuse it for the rest of the process. A call of the
    compiled code runs :func:`steps_per_call` steps; ``theta`` is updated in
    place when the returned function returns.

    Raises
    ------
    RuntimeError
        On a torch without AOTInductor's packages (before torch 2.6).
    """
    if not has_aot_packages():
        raise RuntimeError(
            f"method='aot' needs torch 2.6 or newer (AOTInductor packages); "
            f"this is torch {torch.__version__}: choose method='fused' or 'compiled'"
        )
    per_call = steps_per_call(x.numel())
    run = _aot_chunk(x.numel(), x.dtype, x.device, torch.get_num_threads(), per_call)
    lr_tensor = torch.tensor(lr, dtype=x.dtype, device=x.device)
    counts = [torch.tensor(k, device=x.device) for k in range(per_call + 1)]

    def steps(count: int) -> torch.Tensor:
        calls = -(-count // per_call)
        losses = torch.empty((calls, per_call), dtype=x.dtype, device=x.device)
        # The outputs of `run` are overwritten by its next call: copy them out first.
        for call, row in enumerate(losses.unbind()):
            new_theta, chunk = run(
                [theta, x, y, lr_tensor, counts[min(per_call, count - call * per_call)]]
            )
            theta.copy_(new_theta)
            row.copy_(chunk)
        return losses.view(-1)[:count]

    return steps
