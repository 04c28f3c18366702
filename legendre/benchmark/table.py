"""The table: one row per method and size, with ratios to the original loop and to the floor."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


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


def middle_half(samples: Sequence[float]) -> tuple[float, float]:
    """The range of the middle half of ``samples``: from the lower to the upper quartile.

    Half the rounds fall inside it; a difference between two methods smaller
    than this range is within the machine's noise.
    """
    ordered = sorted(samples)
    quarter = len(ordered) // 4
    return ordered[quarter], ordered[-1 - quarter]


def round_ratio(top: Row, bottom: Row) -> tuple[float, tuple[float, float] | None]:
    """``top``'s time over ``bottom``'s, with the middle half of the rounds' ratios.

    Where both were timed in the same rounds, this is the median of the
    round-by-round ratios (a slow spell of the machine that hits both in one
    round cancels out) and the range of their middle half; else the ratio of
    the medians, and ``None``.
    """
    if top.samples and len(top.samples) == len(bottom.samples):
        ratios = [a / b for a, b in zip(top.samples, bottom.samples, strict=True)]
        return statistics.median(ratios), middle_half(ratios)
    return top.seconds_per_step / bottom.seconds_per_step, None


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a text table, with ratios to the original loop and to the floor.

    ``µs/step`` is the median over the rounds and ``middle half`` the range
    of the middle half of the rounds (``-`` without per-round samples).
    """
    per_n: dict[int, dict[str, Row]] = {}
    for row in rows:
        per_n.setdefault(row.n, {})[row.method] = row
    header = (
        f"{'n':>9}  {'method':<9} {'µs/step':>10} {'middle half':>17} {'ns/point':>9} "
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
            spread = "-"
            if row.samples:
                low, high = middle_half(row.samples)
                spread = f"{low * 1e6:.4g}-{high * 1e6:.4g}"
            lines.append(
                f"{n:>9}  {method:<9} {seconds * 1e6:>10.2f} {spread:>17} {seconds * 1e9 / n:>9.3f} "
                f"{ratio(original):>10} {ratio(floor):>8} {memory:>11} {arrays:>11}"
            )
    return "\n".join(lines)
