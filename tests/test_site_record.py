"""noxfile.py's record of a whole site build: `nox -s site` checks that build as it is
only while no source is newer and no setting differs; otherwise it builds again."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# one file of each kind a site is built from
SOURCES = ["docs/index.rst", "examples/core/plot_01_x.py", "legendre/__init__.py",
           "tools/translate.py", "pyproject.toml", "constraints.txt"]  # fmt: skip


@functools.cache
def load_noxfile():
    """noxfile.py as a module, loaded once: nox registers each session as it is defined."""
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def noxfile(tmp_path, monkeypatch):
    """noxfile.py, pointed at a small copy of the repository's layout in ``tmp_path``."""
    module = load_noxfile()
    for name in SOURCES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("source\n")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "BUILT", tmp_path / "docs" / "_build" / "built.json")
    for key in [key for key in os.environ if key.startswith("LEGENDRE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LEGENDRE_REPOSITORY_URL", "https://github.com/example/legendre")
    return module


def record_build(noxfile, started: float) -> None:
    """What build_site leaves after a whole build that began at ``started``."""
    noxfile.BUILT.parent.mkdir(parents=True, exist_ok=True)
    noxfile.BUILT.write_text(json.dumps(noxfile.build_settings()))
    os.utime(noxfile.BUILT, (started, started))


def age(path: Path, seconds_after: float) -> None:
    os.utime(path, (seconds_after, seconds_after))


def test_without_a_record_the_site_is_built_again(noxfile):
    assert not noxfile.site_is_current()


def test_a_build_begun_after_every_edit_is_checked_as_it_is(noxfile):
    record_build(noxfile, time.time() + 60)
    assert noxfile.site_is_current()


@pytest.mark.parametrize("source", SOURCES)
def test_a_source_edited_after_the_build_began_makes_it_stale(noxfile, source):
    started = time.time() + 60
    record_build(noxfile, started)
    age(noxfile.ROOT / source, started + 1)
    assert not noxfile.site_is_current()


def test_what_the_build_writes_among_the_sources_does_not_make_it_stale(noxfile):
    started = time.time() + 60
    record_build(noxfile, started)
    for written in ("docs/auto_examples/core/plot_01_x.rst", "docs/_build/html/index.html",
                    "docs/locales/ko/LC_MESSAGES/index.mo", "legendre/__pycache__/x.pyc"):  # fmt: skip
        path = noxfile.ROOT / written
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("output\n")
        age(path, started + 1)
    assert noxfile.site_is_current()


@pytest.mark.parametrize(
    ("key", "value"),
    [("LEGENDRE_SITE_URL", "https://example.org/legendre/"), ("LEGENDRE_REPOSITORY_URL", None)],
)
def test_a_build_made_with_other_settings_is_built_again(noxfile, monkeypatch, key, value):
    record_build(noxfile, time.time() + 60)
    if value is None:
        monkeypatch.delenv(key)
    else:
        monkeypatch.setenv(key, value)
    assert not noxfile.site_is_current()


def test_the_language_choice_is_not_a_build_setting(noxfile, monkeypatch):
    record_build(noxfile, time.time() + 60)
    monkeypatch.setenv("LEGENDRE_LANGUAGES", "en ko")
    assert noxfile.site_is_current()
