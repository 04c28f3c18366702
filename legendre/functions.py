"""Custom autograd Functions for Legendre polynomials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from ._checks import check_int, check_points


class LegendrePolynomial3(torch.autograd.Function):
    r"""The cubic Legendre polynomial :math:`P_3(x) = \tfrac12 (5x^3 - 3x)`.

    This is the tutorial's teaching version: a forward pass and a hand-written
    backward pass. Call it through ``apply``, never by instantiating it::

        y = LegendrePolynomial3.apply(x)
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        r"""Evaluate :math:`P_3(x)` elementwise.

        ``ctx`` saves ``x``: the derivative at each point needs the input there.
        """
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
        r"""Chain rule with :math:`P_3'(x) = \tfrac32 (5x^2 - 1)`.

        Returns ``grad_output * P3'(x)``, using the ``x`` saved by :meth:`forward`.
        """
        x: torch.Tensor
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


def _bonnet(x: torch.Tensor, n: int) -> Iterator[torch.Tensor]:
    r"""Yield :math:`P_0(x), \ldots, P_n(x)`, each a new tensor, by Bonnet's recurrence:

    .. math:: (k+1) P_{k+1}(x) = (2k+1)\, x P_k(x) - k P_{k-1}(x).
    """
    previous = torch.ones_like(x)
    yield previous
    if n == 0:
        return
    # clone: yielding ``x`` itself for n = 1 would make an output alias the input.
    current = x.clone()
    yield current
    for k in range(1, n):
        previous, current = current, ((2 * k + 1) * x * current - k * previous) / (k + 1)
        yield current


def _legendre(x: torch.Tensor, n: int) -> torch.Tensor:
    """:math:`P_n(x)`, always in a new tensor."""
    *_, last = _bonnet(x, n)
    return last


def legendre_basis(u: torch.Tensor, degree: int) -> torch.Tensor:
    """The columns ``P0(u), ..., P_degree(u)``, stacked on a new last axis."""
    return torch.stack(list(_bonnet(u, degree)), dim=-1)


def _legendre_derivative(x: torch.Tensor, n: int) -> torch.Tensor:
    r""":math:`P_n'(x)` by :math:`P_{k+1}' = P_{k-1}' + (2k+1) P_k`.

    Built from differentiable tensor operations only, so autograd can
    differentiate it again (double backward, Hessians).
    """
    # Start from P_0' = 0 and P_1' = 1; each P_k then lifts the derivative two degrees up.
    d_previous, d = torch.zeros_like(x), torch.ones_like(x)
    if n == 0:
        return d_previous
    polynomials = _bonnet(x, n - 1)
    next(polynomials)  # P_0 does not enter the recurrence
    for k, p in enumerate(polynomials, 1):  # start=1 as a keyword breaks torch 2.4's compile
        d_previous, d = d, d_previous + (2 * k + 1) * p
    return d


class LegendrePolynomial(torch.autograd.Function):
    r"""The Legendre polynomial :math:`P_n(x)` of any degree :math:`n \ge 0`.

    Call it through ``apply`` with a floating tensor and an integer degree::

        y = LegendrePolynomial.apply(x, n)

    It is evaluated elementwise, on any shape, dtype (floating) and device.
    The backward pass is made of differentiable operations, so second
    derivatives work too (:func:`torch.autograd.gradgradcheck`, Hessians), and
    the Function composes with :func:`torch.func.grad`,
    :func:`torch.func.vmap`, :func:`torch.func.jacrev` and
    :func:`torch.compile`. The degree is a Python int: it has no gradient.
    Forward-mode AD (``torch.func.jvp``, ``jacfwd``, ``hessian``) raises
    :class:`NotImplementedError`: a ``jvp`` method would allow it, but on
    torch 2.13, where this was checked, :func:`torch.compile` breaks the graph
    at a Function that has one (when an input requires a gradient). Nest
    reverse-mode transforms (``jacrev(jacrev(f))``) for second derivatives
    instead.

    Raises
    ------
    TypeError
        If ``x`` is not a floating tensor (integer, bool and complex tensors
        are refused), or if ``n`` is not an int (``bool`` and ``2.0`` are refused).
    ValueError
        If ``n`` is negative.
    """

    # The forward and backward passes are plain tensor code, so torch.func can
    # batch them on its own: vmap needs no hand-written rule.
    generate_vmap_rule = True

    @staticmethod
    def forward(x: torch.Tensor, n: int) -> torch.Tensor:
        r"""Evaluate :math:`P_n(x)` elementwise by Bonnet's recurrence:

        .. math::

           (k+1) P_{k+1}(x) &= (2k+1)\, x P_k(x) - k P_{k-1}(x), \\
           P_0 &= 1, \quad P_1 = x.

        Parameters
        ----------
        x : torch.Tensor
            Points, of a floating dtype and any shape.
        n : int
            The degree, ``n >= 0``.

        Returns
        -------
        torch.Tensor
            A new tensor like ``x`` (never ``x`` itself, even for ``n = 1``).
        """
        check_points(x)
        return _legendre(x, check_int("n", n, 0, show_type=True))

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        """Save what :meth:`backward` needs.

        ``ctx`` saves the input ``x`` (with ``save_for_backward``) and the
        degree as ``ctx.n``. The intermediate :math:`P_k` are not kept: the
        backward pass recomputes them, trading ``n`` multiplications for
        ``n`` tensors of memory.
        """
        x, n = inputs
        ctx.save_for_backward(x)
        ctx.n = int(n)

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor, None]:
        r"""Chain rule with :math:`P_n'(x)`, itself built by a recurrence.

        The derivative comes from the ``x`` and ``n`` saved by
        :meth:`setup_context`, through the recurrence:

        .. math::

           P_{k+1}'(x) &= P_{k-1}'(x) + (2k+1) P_k(x), \\
           P_0' &= 0, \quad P_1' = 1.

        Unlike :math:`(x^2 - 1) P_n' = n (x P_n - P_{n-1})`, it needs no
        special case at :math:`x = \pm 1`. Only differentiable operations are
        used, so this backward can itself be differentiated.

        Returns
        -------
        tuple
            ``grad_output * P_n'(x)`` for ``x``, and ``None`` for ``n``.
        """
        (x,) = ctx.saved_tensors
        return grad_output * _legendre_derivative(x, ctx.n), None
