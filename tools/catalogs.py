"""The Korean gettext catalogs, read and written with Babel.

Which messages a catalog must hold comes from the English sources (``translate.py``);
this module reads a catalog, writes it back (only when its text changed), says what it
lacks against the sources, and turns it into a translation function. The theme catalog
gets what the site itself shows, which Babel's extractor finds (``site_texts``).
"""

from __future__ import annotations

import difflib
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (tomli is in the docs group there)
    import tomli as tomllib

LANGUAGE = "ko"
DOCS = Path(__file__).resolve().parent.parent / "docs"
CATALOGS = DOCS / "locales" / LANGUAGE / "LC_MESSAGES"
# Labels of the theme and of sphinx-gallery (see conf.py), written by hand, and the site's own
# (site_texts), which add_site_texts appends
THEME_CATALOG = "sphinx"

HEADER = """\
# Korean translations of the legendre documentation.
# Messages come from the English sources: refresh them with `nox -s translations`
# (tools/translate.py), never by hand; only translate the msgstr lines.
#"""


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` unless the file already holds it, so mtimes stay put."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def read_catalog(name: str):
    """The Korean catalog ``name`` (an empty one if it does not exist yet)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = CATALOGS / f"{name}.po"
    if not path.exists():
        return Catalog(locale=LANGUAGE, project="legendre")
    with path.open("rb") as file:
        return read_po(file, locale=LANGUAGE)


def write_catalog(name: str, catalog) -> None:
    from babel.messages.pofile import write_po

    catalog.header_comment = HEADER
    catalog.project, catalog.version = "legendre", ""
    catalog.last_translator = catalog.language_team = "legendre Korean translators"
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, ignore_obsolete=True)
    write_if_changed(CATALOGS / f"{name}.po", buffer.getvalue())


@dataclass
class Problems:
    """What keeps a catalog from matching the English sources."""

    untranslated: list[str]
    fuzzy: list[str]
    obsolete: list[str]  # translated messages that the English sources no longer contain

    def __bool__(self) -> bool:
        return bool(self.untranslated or self.fuzzy or self.obsolete)


def compare(template, catalog) -> Problems:
    """Check ``catalog`` against the messages ``template`` says the sources hold."""
    wanted = {message.id for message in template if message.id}
    have = {message.id: message for message in catalog if message.id}
    return Problems(
        untranslated=sorted(m for m in wanted if m not in have or not have[m].string),
        fuzzy=sorted(m for m in wanted if m in have and have[m].string and have[m].fuzzy),
        obsolete=sorted(set(have) - wanted),
    )


def translator(catalog) -> Callable[[str], str]:
    """msgid -> msgstr, falling back to the English for untranslated and fuzzy messages."""
    table = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    return lambda msgid: table.get(msgid, msgid)


# How like its old English a changed message must be to keep its old translation (fuzzy)
KEEP_GUESS = 0.8


def drop_far_guesses(catalog) -> list[str]:
    """Empty the fuzzy guesses Babel borrowed from a merely similar message; return their ids.

    Babel gives a new message the translation of the closest old one, marked fuzzy. For
    an edited sentence that is a head start; for a new one that only shares words
    ("A Function for P4" took the translation of "Function transforms") it is wrong,
    so a new message starts empty unless its old English was at least KEEP_GUESS alike.
    """
    dropped = []
    for message in catalog:
        if message.id and message.fuzzy and message.previous_id:
            previous = message.previous_id
            previous = previous[0] if isinstance(previous, (list, tuple)) else previous
            current = message.id[0] if isinstance(message.id, tuple) else message.id
            if difflib.SequenceMatcher(None, previous, current).ratio() < KEEP_GUESS:
                message.string = (
                    "" if isinstance(message.string, str) else ("",) * len(message.string)
                )
                message.flags.discard("fuzzy")
                message.previous_id = []
                dropped.append(current)
    return dropped


# -- The site's own texts, in the theme catalog ----------------------------------------------


def site_texts() -> dict[str, str]:
    """What the site itself shows, each text with where it comes from: the literals the
    extensions pass to ``_()`` and the constants they mark ``N_()`` (found by Babel's
    extractor, as ``pybabel extract -k _ -k N_ docs/_ext`` finds them), and the figure
    labels of ``docs/references.toml``, which each page's note lists."""
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "N_": None}
    texts = {
        text: f"docs/_ext/{path.name}"
        for path in sorted((DOCS / "_ext").glob("*.py"))
        for _line, text, _comments, _context in extract_from_file("python", str(path), keywords)
    }
    references = tomllib.loads((DOCS / "references.toml").read_text(encoding="utf-8"))
    for page in references["pages"].values():
        for figure in page.get("figures", []):
            texts.setdefault(figure["label"], "docs/references.toml")
    return texts


def add_site_texts() -> None:
    """Append what sphinx.po lacks of :func:`site_texts`, untranslated; keep what it holds
    (the theme's words are written by hand, with their comments)."""
    catalog = read_catalog(THEME_CATALOG)
    have = {message.id for message in catalog if message.id}
    new = {text: where for text, where in site_texts().items() if text not in have}
    if new:  # appended as text: Babel would rewrite the whole hand-written file
        from babel.messages.pofile import escape

        entries = [f'\n# {where}\nmsgid {escape(text)}\nmsgstr ""\n' for text, where in new.items()]
        with (CATALOGS / f"{THEME_CATALOG}.po").open("a", encoding="utf-8") as file:
            file.write("".join(entries))
    untranslated = len(new) + sum(1 for message in catalog if message.id and not message.string)
    print(f"{THEME_CATALOG}.po: {len(new)} new, {untranslated} untranslated")
