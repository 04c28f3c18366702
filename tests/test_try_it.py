"""docs/_ext/try_it.py: the "Try it" panel's text, data and defaults (tests/site drives it)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import try_it

from legendre.trainer import DivergenceError


@pytest.mark.parametrize(
    ("template", "last_finite"),
    [(try_it.DIVERGED, 1.2236712e37), (try_it.DIVERGED_AT_START, None)],
)
def test_divergence_messages_are_the_ones_legendre_fit_raises(template, last_finite):
    """The script formats {last} and {lr} as Python's :g does; the wording must be fit's."""
    raised = str(DivergenceError(step=4, last_finite=last_finite, lr=1e-4))
    shown = template.format(
        step=4, last=f"{last_finite:.6g}" if last_finite else "", lr=f"{1e-4:g}"
    )
    assert shown == raised


def test_sine_corrections_turn_the_rounded_sine_into_torchs():
    x = torch.linspace(-math.pi, math.pi, try_it.POINTS)
    bits = np.sin(x.numpy().astype(np.float64)).astype(np.float32).view(np.int32).copy()
    corrections = [entry.split(":") for entry in try_it.sine_ulps().split()]
    assert corrections, "torch's sine differs from the rounded one at some points"
    for index, ulps in corrections:
        assert int(ulps) in (-1, 1)  # SLEEF's sine is within one unit in the last place
        bits[int(index)] += int(ulps)
    assert np.array_equal(bits.view(np.float32), torch.sin(x).numpy())
