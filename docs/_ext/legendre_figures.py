"""Figures every reader can read: a font with Hangul, and no glyph left out.

The Korean examples label their figures in Korean (``tools/translate.py``, ``labels.po``),
which matplotlib's own font, DejaVu Sans, cannot draw. NanumGothic (SIL Open Font
License 1.1), from the ``koreanize-matplotlib`` package in the docs dependencies, draws
Hangul: matplotlib takes each glyph from the first font in ``font.family`` that has it,
so text without Hangul looks exactly as before, in both languages.

A glyph that no font has is drawn as an empty box, and matplotlib only warns. Here that
warning is an error, as is mathtext's own ("Font ... does not have a glyph"): the
example that drew it fails, and so does the build.

sphinx-gallery resets matplotlib before and after each example (``reset_modules`` in
``conf.py``), which forgets both settings: :func:`use_fonts` comes after that reset.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from pathlib import Path

# Found, never imported: importing the package changes matplotlib's settings itself (and
# needs distutils, which Python 3.12 dropped).
FONT_PACKAGE = "koreanize_matplotlib"
FONT_FILE = "fonts/NanumGothic.ttf"
FAMILIES = ["DejaVu Sans", "NanumGothic"]  # Latin from matplotlib's default, then Hangul
MISSING_GLYPH = r"Glyph .* missing from font"  # matplotlib's warning (_text_helpers.py)


class MissingGlyph(RuntimeError):
    """A figure's text has a character that no font draws."""


def font_path() -> Path:
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingGlyph(f"{FONT_PACKAGE} is missing: `nox -s docs` installs it")
    return Path(spec.submodule_search_locations[0]) / FONT_FILE


def _refuse_mathtext_fallback(record: logging.LogRecord) -> bool:
    """A logging filter that raises where mathtext would draw a dummy symbol."""
    if "does not have a glyph" in record.getMessage():
        raise MissingGlyph(record.getMessage())
    return True


def use_fonts(gallery_conf: dict | None = None, fname: str | None = None, when: str = "") -> None:
    """Give matplotlib the Hangul font and make a missing glyph an error (a reset hook)."""
    import matplotlib
    from matplotlib import font_manager

    path = str(font_path())
    if all(font.fname != path for font in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams["font.family"] = FAMILIES
    warnings.filterwarnings("error", MISSING_GLYPH, UserWarning)
    mathtext = logging.getLogger("matplotlib.mathtext")
    if _refuse_mathtext_fallback not in mathtext.filters:
        mathtext.addFilter(_refuse_mathtext_fallback)
