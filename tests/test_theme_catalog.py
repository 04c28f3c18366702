"""Every text the site's extensions show has its Korean translation, with its placeholders.

The extensions (docs/_ext) translate their text from the theme catalog,
docs/locales/ko/LC_MESSAGES/sphinx.po: the literals they pass to ``_()``, and the
constants they mark with ``N_()`` (docs/_ext/theme_messages.py). Babel's extractor
finds both, as ``pybabel extract -k _ -k N_`` would.
"""

from __future__ import annotations

import re
from pathlib import Path

import catalogs
import pytest
import translate
from babel.messages.extract import extract_from_file

EXTENSIONS = Path(__file__).resolve().parents[1] / "docs" / "_ext"
PLACEHOLDER = re.compile(r"\{\w*\}")


def shown_texts() -> dict[str, str]:
    """Each text an extension shows, with the module that shows it."""
    keywords = {"_": None, "N_": None}
    return {
        text: path.stem
        for path in sorted(EXTENSIONS.glob("*.py"))
        for _line, text, _comments, _context in extract_from_file("python", str(path), keywords)
    }


TEXTS = shown_texts()


def test_the_texts_are_found_both_as_literals_and_as_listed_constants():
    """The guard itself: a literal in ``_()`` and a constant marked ``N_()`` are both seen."""
    assert TEXTS.get("Open in Colab:") == "colab_link"
    assert TEXTS.get("How this output was made") == "legendre_stamp"


@pytest.fixture(scope="module")
def catalog() -> dict:
    return {m.id: m for m in catalogs.read_catalog(translate.THEME_CATALOG) if m.id}


@pytest.mark.parametrize("text", sorted(TEXTS))
def test_the_theme_catalog_translates_it_with_the_same_placeholders(catalog, text):
    where = f"{TEXTS[text]}.py's {text!r}"
    assert text in catalog, f"add {where} to {catalogs.CATALOGS / 'sphinx.po'}"
    korean = catalog[text]
    assert re.search("[가-힣]", korean.string), f"translate {where} into Korean in sphinx.po"
    assert not korean.fuzzy, f"check the translation of {where} in sphinx.po and unflag it"
    assert sorted(PLACEHOLDER.findall(korean.string)) == sorted(PLACEHOLDER.findall(text)), (
        f"the translation of {where} must keep its placeholders: {korean.string!r}"
    )
