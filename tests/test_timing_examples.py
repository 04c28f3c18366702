"""The docs build runs the examples that time code alone (docs/_ext/timing_examples.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import timing_examples

ROOT = Path(__file__).resolve().parents[1]

# what sphinx-gallery passes: the docs folder, and the examples folder relative to it
GALLERY = {"src_dir": str(ROOT / "docs"), "examples_dirs": "../examples"}

fcntl = pytest.importorskip("fcntl", reason="the lock uses flock, which Windows lacks")


@pytest.fixture
def timing(tmp_path, monkeypatch):
    monkeypatch.setattr(timing_examples, "LOCK", tmp_path / "examples.lock")
    yield timing_examples
    timing_examples.hold_the_cpu(GALLERY, "done.py", "after")


def other_build_can_take(lock: Path, kind: str) -> bool:
    """Whether another process (the other language's build) gets the lock now."""
    code = (
        "import fcntl, sys\n"
        f"f = open({str(lock)!r}, 'a')\n"
        f"try:\n    fcntl.flock(f, fcntl.{kind} | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n    sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_timing_example_keeps_the_other_build_from_running_any(timing):
    timing.hold_the_cpu(GALLERY, "plot_12_performance.py", "before")
    assert not other_build_can_take(timing.LOCK, "LOCK_SH")
    timing.hold_the_cpu(GALLERY, "plot_12_performance.py", "after")
    assert other_build_can_take(timing.LOCK, "LOCK_EX")


def test_other_examples_run_beside_each_other_but_not_beside_a_timing_one(timing):
    timing.hold_the_cpu(GALLERY, "plot_01_custom_function.py", "before")
    assert other_build_can_take(timing.LOCK, "LOCK_SH")
    assert not other_build_can_take(timing.LOCK, "LOCK_EX")


def test_entering_a_folder_takes_no_lock(timing):
    timing.hold_the_cpu(GALLERY, None, "before")
    assert not timing.LOCK.exists()


def test_examples_that_print_timings_are_the_ones_tagged_performance(timing):
    examples = sorted((ROOT / "examples").rglob("plot_*.py"))
    timing_ones = [path.name for path in examples if timing.times_code(path)]
    assert timing_ones == ["plot_07_compiling.py", "plot_12_performance.py"]


def test_a_new_example_tagged_performance_runs_alone(timing, tmp_path):
    for folder in ("docs", "examples/further"):
        (tmp_path / folder).mkdir(parents=True)
    example = tmp_path / "examples" / "further" / "plot_12_new.py"  # in a section's folder
    example.write_text('"""T\n=\n"""\n# sphinx_gallery_tags = ["performance", "new"]\n')
    gallery = {"src_dir": str(tmp_path / "docs"), "examples_dirs": "../examples"}
    timing.hold_the_cpu(gallery, example.name, "before")
    assert not other_build_can_take(timing.LOCK, "LOCK_SH")


def test_a_korean_copy_is_timed_as_its_english_example_says():
    """The Korean copies translate their tags ("performance" reads "성능" there)."""
    copy = timing_examples.KOREAN / "examples" / "further" / "plot_12_performance.py"
    english = timing_examples.english(copy)
    assert english == ROOT / "examples" / "further" / "plot_12_performance.py"
    assert timing_examples.times_code(english)
    assert timing_examples.english(english) == english


def test_while_a_test_runs_a_timed_example_waits_but_other_examples_do_not():
    # tests/conftest.py: each test shares the examples' lock for as long as it runs
    assert not other_build_can_take(timing_examples.LOCK, "LOCK_EX")
    assert other_build_can_take(timing_examples.LOCK, "LOCK_SH")


@pytest.mark.alone
def test_a_test_marked_alone_keeps_every_example_and_test_waiting():
    assert not other_build_can_take(timing_examples.LOCK, "LOCK_SH")
