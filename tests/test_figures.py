"""The figures' fonts: Hangul is drawn, and a glyph no font has fails (docs/_ext/legendre_figures.py)."""

from __future__ import annotations

import logging
import warnings

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("agg")

import legendre_figures
import matplotlib.pyplot as plt


@pytest.fixture
def fonts():
    """matplotlib with the build's fonts, then as it was: settings, warnings and logging."""
    mathtext = logging.getLogger("matplotlib.mathtext")
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("default")  # pytest's "error" would hide what use_fonts adds
        legendre_figures.use_fonts({}, "plot_01_custom_function.py", "before")
        yield
        plt.close("all")
    mathtext.removeFilter(legendre_figures._refuse_mathtext_fallback)


def draw(text: str) -> None:
    fig, ax = plt.subplots()
    ax.set_title(text)
    fig.canvas.draw()


def test_hangul_and_latin_labels_draw_with_every_glyph(fonts):
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", "NanumGothic"]
    draw("르장드르 3차식의 학습 손실: 462에서 8.9까지, P₅(xᵢ) −1 µs")


def test_a_character_no_font_has_fails_the_figure(fonts):
    with pytest.raises(UserWarning, match="missing from font"):
        draw("손실 \N{EGYPTIAN HIEROGLYPH A001}")


def test_hangul_inside_math_fails_rather_than_drawing_boxes(fonts):
    with pytest.raises(legendre_figures.MissingGlyph, match="does not have a glyph"):
        draw("$P_3(x)$ 역전파")


def test_without_the_hook_a_missing_glyph_is_only_a_warning():
    """The guard's own oracle: matplotlib itself only warns."""
    with matplotlib.rc_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw("손실")
        plt.close("all")
    assert any("missing from font" in str(warning.message) for warning in caught)
