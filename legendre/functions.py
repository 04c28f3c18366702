"""Custom autograd Functions for Legendre polynomials."""

from __future__ import annotations

from typing import Any

import torch


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
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)
