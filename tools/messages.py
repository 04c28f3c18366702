r"""Text as messages, and translations written back: the pieces every source splits into.

A source (a gallery script, a page, a gallery header) becomes a list of *pieces*: lines
kept verbatim, and messages (:class:`Unit`) that know how to write their translation back
in place (rewrapped, re-underlined, re-commented). :func:`units` lists the messages;
:func:`render` writes the source again with each message replaced by its translation::

    pieces = script_pieces(source)  # script_messages.py; rst_pieces in rst_messages.py
    msgids = [unit.msgid for unit in units(pieces)]
    korean = "\n".join(render(pieces, translate))  # translate: msgid -> msgstr

The splitting lives beside this module, one kind of text each: ``rst_messages.py``
(reStructuredText), ``code_messages.py`` (comments in code), ``code_labels.py`` (the
text that code shows) and ``script_messages.py`` (a gallery script). All of it is pure:
text in, text out, no files and no catalogs (those are ``translate.py``'s).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

TEXT_WIDTH = 79  # display columns of a wrapped paragraph; a Hangul syllable counts two
CODE_WIDTH = 100  # the project's line length, for translated comments


@dataclass
class Unit:
    """One translatable message and how to write its translation back."""

    msgid: str
    line: int  # 1-based line in the source file, for the catalog's ``#:`` comments
    render: Callable[[str], list[str]]  # translation -> output lines
    # A label (see :func:`code_labels.labels`): its literal's prefix and opening quote, as
    # in 'f"'; Python reads the message as what follows them. Empty for prose and comments.
    literal: str = ""


@dataclass
class Group:
    """Pieces whose rendered lines are transformed together (commented out, quoted)."""

    pieces: list[Piece]
    transform: Callable[[list[str]], list[str]]


@dataclass
class Inline:
    """Lines of code with messages inside them (labels, a trailing comment): text and units."""

    parts: list[str | Unit]


Piece = str | Unit | Group | Inline  # a line kept verbatim, a message, or lines holding them


def units(pieces: list[Piece]) -> Iterator[Unit]:
    """Every message in ``pieces``, in order."""
    for piece in pieces:
        if isinstance(piece, Unit):
            yield piece
        elif isinstance(piece, Group):
            yield from units(piece.pieces)
        elif isinstance(piece, Inline):
            yield from (part for part in piece.parts if isinstance(part, Unit))


def render(
    pieces: list[Piece],
    translate: Callable[[str], str],
    labels: Callable[[str], str] | None = None,
) -> list[str]:
    """The output lines, each message replaced by ``translate(msgid)``.

    ``labels`` translates the labels in code (default: ``translate``).
    """
    labels = labels or translate

    def text(unit: Unit) -> list[str]:
        return unit.render((labels if unit.literal else translate)(unit.msgid))

    lines: list[str] = []
    for piece in pieces:
        if isinstance(piece, Unit):
            lines.extend(text(piece))
        elif isinstance(piece, Group):
            lines.extend(piece.transform(render(piece.pieces, translate, labels)))
        elif isinstance(piece, Inline):
            joined = "".join(p if isinstance(p, str) else "\n".join(text(p)) for p in piece.parts)
            lines.extend(joined.split("\n"))
        else:
            lines.append(piece)
    return lines


def normalise(lines: list[str]) -> str:
    """A message id: the lines joined by single spaces, so rewrapping keeps translations."""
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


def width(text: str) -> int:
    """Display columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Inline markup is kept whole by the wrapper, so ``a * b`` never becomes a list item.
_TOKEN = re.compile(r"``.+?``|(?::[\w:.+-]+:)?`[^`]+`_{0,2}|\*\*.+?\*\*|\s+|\S")
_BLOCK_START = re.compile(r"([-*+]|#\.|\d+[.)]|\.\.)(\s|$)")


def _words(text: str) -> list[str]:
    """Split at spaces outside inline markup."""
    words, current = [], ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            words, current = ([*words, current] if current else words), ""
        else:
            current += token
    return [*words, current] if current else words


def wrap(text: str, columns: int) -> list[str]:
    """Greedy wrap at spaces outside inline markup; no line may start an rst block."""
    lines: list[str] = []
    for word in _words(text):
        if lines and (
            width(lines[-1]) + 1 + width(word) <= columns or _BLOCK_START.match(word + " ")
        ):
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip())


def indented(pieces: list[Piece], indent: int) -> Group:
    prefix = " " * indent
    return Group(pieces, lambda rendered: [prefix + line if line else line for line in rendered])


def between(lines: list[str], start: int, begin: tuple[int, int], end: tuple[int, int]) -> str:
    """The text from ``begin`` to ``end``, (line, column) with ``lines[0]`` being line ``start``."""
    first, last = begin[0] - start, end[0] - start
    if first == last:
        return lines[first][begin[1] : end[1]]
    return "\n".join([lines[first][begin[1] :], *lines[first + 1 : last], lines[last][: end[1]]])
