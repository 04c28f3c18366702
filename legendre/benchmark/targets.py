"""The project's own performance targets, checked against a run of the benchmark.

``nox -s bench`` runs ``python -m legendre.benchmark.targets``: it prints the
table of ``python -m legendre.benchmark`` (same options, see ``--help``),
then whether each target is met. The targets are promises about this
package's code, measured rather than tested: a timing depends on the machine
and on everything else it runs, so no test asserts one (the tests check how
the targets are read from the rows, in ``tests/test_perf_targets.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .cli import main
from .table import Row, round_ratio
from .workloads import LARGE_N, TUTORIAL_N

#: How many times faster than the original loop ``"fused"`` must be at the
#: tutorial's size, and why the target is what it is (printed with it).
FUSED_SPEEDUP = 8
FUSED_SPEEDUP_WHY = (
    "lowered from 10, which quiet runs on an Intel Xeon miss at 8.8-9.5: the step is "
    "11 tensor operations of about a microsecond of dispatch each, the fewest that keep "
    "to 3 arrays of n (one fewer needs a copy of x beside the row of ones)"
)


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
    #: Why the limit is what it is, where that is not plain from its name.
    why: str | None = None

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
        line = f"{self.name}: {self.value:.3g} (target {sign} {self.limit:g}{spread}) {verdict}"
        return line if self.why is None else f"{line}\n    target {self.why}"


def targets(rows: Sequence[Row]) -> list[Target]:
    """The project's performance targets that ``rows`` hold the measurements for.

    * at the tutorial's size, ``fit(method="function")`` takes at most 1.05
      times the original loop's time, and ``"fused"`` is at least
      :data:`FUSED_SPEEDUP` times faster than the original loop;
    * at both sizes, ``"aot"`` takes at most 3 times the floor's time;
    * at two million points, ``"fused"`` needs at most 3 arrays of ``n``
      beyond its data.
    """
    found = {(row.method, row.n): row for row in rows}
    measured = []

    def ratio_target(
        top: str, bottom: str, n: int, limit: float, at_most: bool, why: str | None = None
    ) -> None:
        if (top, n) in found and (bottom, n) in found:
            value, spread = round_ratio(found[top, n], found[bottom, n])
            name = f"{top} / {bottom} at n={n:.0e}" if n >= 10**5 else f"{top} / {bottom} at n={n}"
            measured.append(Target(name, value, limit, at_most, spread, why))

    ratio_target("function", "original", TUTORIAL_N, 1.05, at_most=True)
    ratio_target(
        "original", "fused", TUTORIAL_N, FUSED_SPEEDUP, at_most=False, why=FUSED_SPEEDUP_WHY
    )
    for n in (TUTORIAL_N, LARGE_N):
        ratio_target("aot", "floor", n, 3, at_most=True)
    fused_memory = found.get(("fused", LARGE_N))
    if fused_memory is not None and fused_memory.peak_bytes is not None:
        arrays = fused_memory.peak_bytes / (4 * LARGE_N)
        name = f"fused peak extra memory at n={LARGE_N:.0e}, in arrays of n"
        measured.append(Target(name, arrays, 3, at_most=True))
    return measured


if __name__ == "__main__":
    for target in targets(main(sys.argv[1:])):
        print(target)
