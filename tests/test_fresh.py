"""docs/_ext/legendre_fresh.py: examples run again when the package they run on changes."""

from __future__ import annotations

import re
from pathlib import Path

import legendre_fresh as fresh
import pytest
from example_filter import filename_pattern

ROOT = Path(__file__).resolve().parents[1]


def _package(tmp_path: Path) -> Path:
    package = tmp_path / "legendre"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "trainer.py").write_text("LR = 5e-6\n")
    return package


def _gallery(tmp_path: Path) -> Path:
    gallery = tmp_path / "auto_examples"
    gallery.mkdir()
    for name in ("plot_01.py.md5", "plot_02.py.md5", "plot_01.ipynb.md5"):
        (gallery / name).write_text("checksum")
    return gallery


def test_fingerprint_changes_with_a_source_file_and_with_the_context(tmp_path):
    package = _package(tmp_path)
    before = fresh.fingerprint(package, "torch 2.13.0, cpu")
    assert fresh.fingerprint(package, "torch 2.13.0, cpu") == before
    assert fresh.fingerprint(package, "torch 2.14.0, cpu") != before
    (package / "trainer.py").write_text("LR = 1e-5\n")
    assert fresh.fingerprint(package, "torch 2.13.0, cpu") != before


def test_a_new_fingerprint_forgets_every_recorded_run_and_an_unchanged_one_none(tmp_path):
    gallery = _gallery(tmp_path)
    assert fresh.forget_stale_runs(gallery, "first") == 2  # no record yet: run everything
    assert sorted(path.name for path in gallery.glob("*.md5")) == ["plot_01.ipynb.md5"]

    (gallery / "plot_01.py.md5").write_text("checksum")  # sphinx-gallery ran it again
    assert fresh.forget_stale_runs(gallery, "first") == 0
    assert (gallery / "plot_01.py.md5").is_file()

    assert fresh.forget_stale_runs(gallery, "second") == 1
    assert not (gallery / "plot_01.py.md5").exists()


# -- docs/_ext/example_filter.py: LEGENDRE_EXAMPLES ------------------------------------------
EXAMPLES = ROOT / "examples"


def _runs(pattern: str) -> list[str]:
    """The examples sphinx-gallery runs: it searches the pattern in each file's path."""
    return sorted(p.name for p in EXAMPLES.rglob("plot_*.py") if re.search(pattern, str(p)))


def test_without_a_selection_every_example_runs():
    every = sorted(p.name for p in EXAMPLES.rglob("plot_*.py"))
    assert _runs(filename_pattern(None, EXAMPLES)) == every
    assert _runs(filename_pattern("  ", EXAMPLES)) == every


def test_examples_can_be_named_by_number_stem_or_file_name():
    pattern = filename_pattern("03, plot_10_optimizers plot_11_animation.py", EXAMPLES)
    assert _runs(pattern) == [
        "plot_03_common_mistakes.py",
        "plot_10_optimizers.py",
        "plot_11_animation.py",
    ]


def test_a_name_that_matches_no_example_or_several_is_refused():
    with pytest.raises(ValueError, match="LEGENDRE_EXAMPLES: '99' names no examples"):
        filename_pattern("99", EXAMPLES)
    count = len(list(EXAMPLES.rglob("plot_0*.py")))
    with pytest.raises(ValueError, match=f"LEGENDRE_EXAMPLES: '0' names {count} examples"):
        filename_pattern("0", EXAMPLES)
