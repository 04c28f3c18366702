"""An example that runs too long fails the docs build, naming itself and the limit
(docs/_ext/example_limit.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import example_limit
import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "setitimer"), reason="the limit uses a POSIX interval timer"
)


def test_without_the_variable_the_limit_is_ten_minutes():
    assert example_limit.limit_seconds(None) == 600
    assert example_limit.limit_seconds(" ") == 600
    assert example_limit.limit_seconds("2.5") == 2.5


@pytest.mark.parametrize("value", ["0", "-3", "ten", "nan", "inf"])
def test_a_limit_that_is_not_a_positive_number_is_refused(value):
    with pytest.raises(ValueError, match="LEGENDRE_EXAMPLE_LIMIT must be a positive number"):
        example_limit.limit_seconds(value)


def test_an_example_within_the_limit_is_left_alone(monkeypatch):
    monkeypatch.setenv("LEGENDRE_EXAMPLE_LIMIT", "0.3")
    example_limit.limit({}, "plot_01_quick.py", "before")
    example_limit.limit({}, "plot_01_quick.py", "after")
    time.sleep(0.5)  # the timer was disarmed: nothing fires
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_sleeping_example_fails_a_gallery_build_with_the_message(tmp_path):
    """A real sphinx-gallery build, with a one-second limit and an example that sleeps."""
    pytest.importorskip("sphinx_gallery")
    docs, examples = tmp_path / "docs", tmp_path / "examples"
    docs.mkdir()
    examples.mkdir()
    (examples / "GALLERY_HEADER.rst").write_text("Examples\n========\n")
    (examples / "plot_01_sleeps.py").write_text(
        '"""\nSleeps\n======\n"""\nimport time\n\ntime.sleep(30)\n'
    )
    (docs / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   auto_examples/index\n")
    extensions = os.path.dirname(example_limit.__file__)
    (docs / "conf.py").write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {extensions!r})
        extensions = ["sphinx_gallery.gen_gallery"]
        sphinx_gallery_conf = {{
            "examples_dirs": "../examples",
            "gallery_dirs": "auto_examples",
            "reset_modules": ("example_limit.limit",),
            "reset_modules_order": "both",
        }}
        """)
    )
    start = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(docs), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        env={**os.environ, "LEGENDRE_EXAMPLE_LIMIT": "1", "MPLBACKEND": "agg"},
        check=False,
    )
    assert build.returncode != 0
    output = build.stdout + build.stderr
    assert "ExampleTimeout: the example plot_01_sleeps.py ran past the limit of 1 s" in output
    assert time.monotonic() - start < 25  # stopped, not slept through
