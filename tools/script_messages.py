"""A gallery script as messages: its docstring, its ``# %%`` text blocks, and its code."""

from __future__ import annotations

import re

from code_labels import Label, labels
from code_messages import code_pieces, comment_tokens
from messages import Group, Piece, indentation
from rst_messages import rst_pieces

# sphinx-gallery's rule: a "# %%" line (or a line of 20+ "#") opens a text block made of the
# unindented comment lines right below it.
_BLOCK_HEADER = re.compile(r"^(#{20,}.*|# ?%%.*)$")
# The module docstring, which must open the file: its prefix, its quotes and its text.
_DOCSTRING = re.compile(r'\A([rRuU]?)("""|\'\'\')(.*?)\2[ \t]*$', re.DOTALL | re.MULTILINE)


def _commented(lines: list[str]) -> list[str]:
    return ["# " + line if line else "#" for line in lines]


def _docstring(match: re.Match) -> Group:
    opener, closer = match.group(1) + match.group(2), match.group(2)

    def quote(lines: list[str]) -> list[str]:
        return (opener + "\n".join(lines) + closer).split("\n")

    return Group(rst_pieces(match.group(3)), quote)


def _shifted(label: Label, lines: int) -> Label:
    """``label`` with its line numbers moved by ``lines``."""
    start, end = label.start, label.end
    return Label((start[0] + lines, start[1]), (end[0] + lines, end[1]), label.unit)


def script_pieces(source: str) -> list[Piece]:
    """Split a gallery script into verbatim lines and messages.

    The module docstring and the ``# %%`` text blocks are reStructuredText (see
    :func:`rst_messages.rst_pieces`); comments are messages too (see
    :func:`code_messages.code_pieces`).
    """
    lines = source.split("\n")
    comments = comment_tokens(source)
    found = labels(source)
    pieces: list[Piece] = []
    index = 0
    docstring = _DOCSTRING.match(source)
    if docstring:  # the page's title and introduction
        pieces.append(_docstring(docstring))
        index = docstring.group(0).count("\n") + 1
    code_start = index
    while index <= len(lines):
        if index == len(lines) or _BLOCK_HEADER.match(lines[index]):
            code = {n - code_start: c for n, c in comments.items() if code_start < n <= index}
            shown = {
                n - code_start: [_shifted(label, -code_start) for label in found[n]]
                for n in found
                if code_start < n <= index
            }
            pieces.extend(code_pieces(lines[code_start:index], code, code_start + 1, shown))
        if index == len(lines):
            break
        if not _BLOCK_HEADER.match(lines[index]):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].startswith("#"):
            end += 1
        block = [text[1:] for text in lines[index + 1 : end]]
        dedent = min((indentation(text) for text in block if text.strip()), default=0)
        text = "\n".join(text[dedent:] for text in block)
        pieces += [lines[index], Group(rst_pieces(text, first_line=index + 2), _commented)]
        index = code_start = end
    return pieces
