"""The project's own performance targets, checked against a run of the benchmark.

``nox -s bench`` runs this script: it prints the table of ``python -m
legendre.benchmark`` (same options, see ``--help``), then whether each target
is met. The targets are the project's promises about its own code, not
something a user of :mod:`legendre.benchmark` measures, so they live here,
beside the tests that check how they are read, rather than in the package.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from legendre.benchmark import LARGE_N, TUTORIAL_N, Row, main


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


if __name__ == "__main__":
    for target in targets(main(sys.argv[1:])):
        print(target)
