"""Every text the site itself shows has its Korean translation, with its placeholders.

The extensions (docs/_ext) translate their text from the theme catalog,
docs/locales/ko/LC_MESSAGES/sphinx.po: the literals they pass to ``_()``, the
constants they mark with ``N_()`` (docs/_ext/theme_messages.py), and the figure labels
of docs/references.toml that each page's note lists. ``nox -s translations`` adds the
new ones to the catalog (tools/catalogs.py, ``site_texts``); a translator fills them in.
"""

from __future__ import annotations

import re

import catalogs
import pytest

TEXTS = catalogs.site_texts()
PLACEHOLDER = re.compile(r"\{\w*\}")


def test_the_texts_are_found_as_literals_as_marked_constants_and_as_figure_labels():
    """The guard itself: a literal in ``_()``, a constant marked ``N_()`` and a label."""
    assert TEXTS.get("Open in Colab:") == "docs/_ext/colab_link.py"
    assert TEXTS.get("How this output was made") == "docs/_ext/legendre_stamp.py"
    assert TEXTS.get("loss printed every 100 steps") == "docs/references.toml"


@pytest.fixture(scope="module")
def catalog() -> dict:
    return {m.id: m for m in catalogs.read_catalog(catalogs.THEME_CATALOG) if m.id}


@pytest.mark.parametrize("text", sorted(TEXTS))
def test_the_theme_catalog_translates_it_with_the_same_placeholders(catalog, text):
    where = f"{text!r} ({TEXTS[text]})"
    assert text in catalog, f"run `nox -s translations`, then translate {where} in sphinx.po"
    korean = catalog[text]
    assert re.search("[가-힣]", korean.string), f"translate {where} into Korean in sphinx.po"
    assert not korean.fuzzy, f"check the translation of {where} in sphinx.po and unflag it"
    assert sorted(PLACEHOLDER.findall(korean.string)) == sorted(PLACEHOLDER.findall(text)), (
        f"the translation of {where} must keep its placeholders: {korean.string!r}"
    )
