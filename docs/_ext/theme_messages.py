"""``N_()``: marks a text an extension shows, so that it is found in the source.

An extension translates what it shows with ``sphinx.locale._`` from the theme catalog,
docs/locales/ko/LC_MESSAGES/sphinx.po. A text kept in a constant is marked where it is
written, ``TITLE = N_("Try it")``, and translated where it is shown, ``_(TITLE)``:
Babel's extractor finds both kinds of call (``pybabel extract -k N_``): ``nox -s
translations`` adds the new texts to sphinx.po, and tests/test_theme_catalog.py checks
that sphinx.po translates every text it finds.
"""


def N_(message: str) -> str:  # gettext's name for a translation put off until shown
    """``message`` itself, marked for extraction."""
    return message
