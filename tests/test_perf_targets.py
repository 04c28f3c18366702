"""legendre.benchmark.targets: each performance target is read from the rows it concerns."""

import pytest

from legendre.benchmark import Row
from legendre.benchmark.targets import targets


def test_targets_are_read_from_the_rows_they_concern():
    rows = [
        Row("original", 2000, 400e-6),
        Row("function", 2000, 412e-6),
        Row("fused", 2000, 57e-6),
        Row("aot", 2000, 1.2e-6),
        Row("floor", 2000, 0.5e-6),
        Row("original", 2_000_000, 20e-3),
        Row("fused", 2_000_000, 6e-3, peak_bytes=int(3.2 * 4 * 2_000_000)),
        Row("aot", 2_000_000, 0.9e-3),
        Row("floor", 2_000_000, 0.25e-3),
    ]
    found = {target.name: target for target in targets(rows)}
    assert list(found) == [
        "function / original at n=2000",
        "original / fused at n=2000",
        "aot / floor at n=2000",
        "aot / floor at n=2e+06",
        "fused peak extra memory at n=2e+06, in arrays of n",
    ]
    function, fused, aot_small, aot_large, memory = found.values()
    assert (function.value, function.met) == (pytest.approx(1.03), True)
    assert (fused.value, fused.met) == (pytest.approx(7.02, abs=0.01), False)
    assert (aot_small.value, aot_small.met) == (pytest.approx(2.4), True)
    assert (aot_large.value, aot_large.met) == (pytest.approx(3.6), False)
    assert (memory.value, memory.met) == (pytest.approx(3.2), False)
    verdict, reason = str(fused).split("\n")
    assert verdict == "original / fused at n=2000: 7.02 (target >= 8) NOT MET"
    assert reason.startswith("    target lowered from 10")


def test_targets_skip_what_was_not_measured():
    assert targets([Row("fused", 2000, 50e-6), Row("aot", 2_000_000, 1e-3)]) == []


def test_ratios_of_methods_timed_together_are_taken_round_by_round():
    # A slow spell that hits both methods in the same round cancels out.
    original = Row("original", 2000, 0.0, samples=(1.0, 5.0, 1.0, 1.0, 5.0))
    function = Row("function", 2000, 0.0, samples=(1.02, 5.1, 1.02, 1.02, 5.1))
    (target,) = targets([original, function])
    assert target.value == pytest.approx(1.02)
    assert target.spread == (pytest.approx(1.02), pytest.approx(1.02))
    assert "middle half of the rounds 1.02-1.02" in str(target)


def test_round_ratios_follow_the_order_of_the_rounds():
    original = Row("original", 2000, 0.0, samples=(1.0, 2.0, 3.0))
    fused = Row("fused", 2000, 0.0, samples=(0.1, 0.4, 0.1))
    (target,) = targets([original, fused])
    assert target.value == pytest.approx(10.0)  # rounds: 10, 5, 30
    assert target.spread == (pytest.approx(5.0), pytest.approx(30.0))


def test_a_target_inside_the_scatter_of_the_rounds_is_reported_as_unresolved():
    original = Row("original", 2000, 0.0, samples=(1.0, 1.0, 1.0, 1.0, 1.0))
    function = Row("function", 2000, 0.0, samples=(0.98, 1.02, 1.06, 1.09, 1.0))
    (target,) = targets([original, function])
    assert target.spread == (pytest.approx(1.0), pytest.approx(1.06))
    assert target.met
    assert not target.resolved
    assert str(target).endswith("met by the median, but the rounds scatter across the target")
