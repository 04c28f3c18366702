r"""Training steps for the tutorial model with hand-derived gradients.

Autograd is general, and its generality costs time: every step of the
tutorial's loop records a graph of about twenty small operations, allocates a
fresh tensor for each, and walks the graph backwards again. For the model

.. math:: \hat y = a + b \, P_3(z), \qquad z = c + d x,

and the loss :math:`L = \sum r^2` with :math:`r = \hat y - y`, the gradients
are short enough to write out. With :math:`t = \tfrac52 z^2 - \tfrac32`,
:math:`P_3(z) = z t` and :math:`P_3'(z) = 3t + 3`, so

.. math::

   \partial_a L = 2 \sum r, \quad
   \partial_b L = 2 \sum r \, z t, \quad
   \partial_c L = 6 b \left(\sum r t + \sum r\right), \quad
   \partial_d L = 6 b \left(\sum r t x + \sum r x\right).

:class:`FusedStep` evaluates these with a dozen tensor operations that write
into three buffers of the data's size allocated once; :func:`compiled_step`
hands the same arithmetic to :func:`torch.compile`, which fuses it into a
single pass over the data.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# Row i of _MIX turns the sums (Σr, Σrt, Σrx, Σrtx, Σrtz) into the i-th
# gradient; the last two rows still lack the factor b they share.
_MIX = (
    (2.0, 0.0, 0.0, 0.0, 0.0),  # ∂a = 2 Σr
    (0.0, 0.0, 0.0, 0.0, 2.0),  # ∂b = 2 Σ r z t
    (6.0, 6.0, 0.0, 0.0, 0.0),  # ∂c = 6b (Σrt + Σr)
    (0.0, 0.0, 6.0, 6.0, 0.0),  # ∂d = 6b (Σrtx + Σrx)
)


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
    Three buffers of ``x``'s size are allocated once, in :attr:`buffers`: ``z``
    and a ``(2, n)`` block whose rows hold ``r`` and ``t`` (then ``r t``).
    Every other intermediate is a scalar. Calling the object runs one step and
    returns the loss *before* the update as a new 0-d tensor, left on the
    device so that the caller decides when to synchronise.
    """

    def __init__(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float):
        n = x.numel()
        self.theta, self.x, self.y, self.lr = theta, x, y, lr
        self.a, self.b, self.c, self.d = theta.unbind()
        self.z = torch.empty_like(x)
        self.rt = torch.empty((2, n), dtype=x.dtype, device=x.device)
        self.r, self.t = self.rt.unbind()
        # Scalars and small buffers (not counted against the data's size).
        self.minus_1_5 = torch.tensor(-1.5, dtype=x.dtype, device=x.device)
        self.mix_without_b = torch.tensor(_MIX[2:], dtype=x.dtype, device=x.device)
        self.mix = torch.tensor(_MIX, dtype=x.dtype, device=x.device)
        self.mix_cd = self.mix[2:]
        self.sums = torch.empty(5, dtype=x.dtype, device=x.device)
        self.sums_rows, self.sums_x, self.sum_rtz = self.sums[:2], self.sums[2:4], self.sums[4]

    @property
    def buffers(self) -> tuple[torch.Tensor, ...]:
        """The tensors whose size grows with the data: ``z`` and the ``(r, t)`` block."""
        return (self.z, self.rt)

    def __call__(self) -> torch.Tensor:
        z, r, t = self.z, self.r, self.t
        torch.addcmul(self.c, self.x, self.d, out=z)  # z = c + d x
        torch.addcmul(self.minus_1_5, z, z, value=2.5, out=t)  # t = 2.5 z² - 1.5
        torch.mul(z, t, out=r)  # P3(z)
        r.mul_(self.b).add_(self.a)  # a + b P3(z); faster than addcmul's broadcasting
        r.sub_(self.y)  # the residual r
        loss = torch.dot(r, r)
        t.mul_(r)  # r t; rows of self.rt are now (r, r t)
        torch.sum(self.rt, dim=1, out=self.sums_rows)  # Σr, Σrt
        torch.mv(self.rt, self.x, out=self.sums_x)  # Σrx, Σrtx
        torch.dot(t, z, out=self.sum_rtz)  # Σ r z t
        torch.mul(self.mix_without_b, self.b, out=self.mix_cd)  # rows of ∂c, ∂d times b
        self.theta.addmv_(self.mix, self.sums, alpha=-self.lr)  # θ -= lr · gradient
        return loss


def _analytic_step(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same step written out of place, for :func:`torch.compile` to fuse."""
    a, b, c, d = theta.unbind()
    z = c + d * x
    t = 2.5 * z * z - 1.5
    r = a + b * (z * t) - y
    rt = r * t
    grad = 2 * torch.stack(
        (r.sum(), (rt * z).sum(), 3 * b * (rt.sum() + r.sum()), 3 * b * ((rt + r) * x).sum())
    )
    return (r * r).sum(), theta - lr * grad


def compiled_step(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, lr: float
) -> Callable[[], torch.Tensor]:
    """A step like :class:`FusedStep`'s, compiled by :func:`torch.compile`.

    The first call for a given size, dtype and device compiles (seconds to
    tens of seconds; on the CPU, inductor needs a C++ compiler); later calls,
    in any fit with any step size, reuse that code. ``theta`` is updated in
    place after each step.
    """
    compiled = torch.compile(_analytic_step, dynamic=False, fullgraph=True)
    # A tensor, not a float: a float would be baked into the code and each new
    # step size would compile again.
    lr_tensor = torch.tensor(lr, dtype=x.dtype, device=x.device)

    def step() -> torch.Tensor:
        loss, new_theta = compiled(theta, x, y, lr_tensor)
        theta.copy_(new_theta)
        return loss

    return step
