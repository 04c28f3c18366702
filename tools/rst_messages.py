"""reStructuredText as messages: titles, paragraphs, list items and admonitions.

Directives stay as written; the content of admonitions and figures is prose, and the
comments in code blocks are messages (``code_messages.py``).
"""

from __future__ import annotations

import re

from code_messages import code_block_pieces
from messages import TEXT_WIDTH, Piece, Unit, indentation, indented, normalise, width, wrap

_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+.:_])\1+\s*$")
_BULLET = re.compile(r"^([-*+]|#\.|\d+[.)])\s+")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::")
# Directives whose content is code (only its comments are messages) or prose.
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
# Admonitions without arguments: their text may start on the directive line.
_ADMONITIONS = {
    "note", "seealso", "warning", "tip", "hint", "important", "caution", "attention", "danger",
    "error",
}  # fmt: skip
# Admonitions and figures: their content (a figure's caption) is prose; their arguments and
# options (an admonition's title, a figure's alt text) stay as written.
_PROSE_DIRECTIVES = {
    "note", "seealso", "warning", "tip", "hint", "important", "caution", "attention", "danger",
    "error", "admonition", "topic", "versionadded", "versionchanged", "deprecated", "figure",
}  # fmt: skip


def _title_length(lines: list[str]) -> int:
    """How many leading lines of a paragraph are a section title (0, 2 or 3)."""
    rule = [bool(_UNDERLINE.match(line.strip())) for line in lines[:3]]
    if rule[:3] == [True, False, True]:
        return 3
    return 2 if rule[:2] == [False, True] else 0


def _title(lines: list[str], start: int) -> list[Piece]:
    """A section title: translate the text, redraw the over/underline to fit it."""
    over = len(lines) == 3
    char = lines[-1].strip()[0]

    def render_title(msgstr: str) -> list[str]:
        rule = char * max(width(msgstr), 1)
        return [rule, msgstr, rule] if over else [msgstr, rule]

    return [Unit(lines[1 if over else 0].strip(), start + int(over), render_title)]


def _prose(lines: list[str], start: int) -> list[Piece]:
    """A paragraph, or a list split into items: one message each, rewrapped when written."""
    pieces: list[Piece] = []
    items: list[tuple[int, list[str]]] = []
    is_list = bool(_BULLET.match(lines[0].lstrip()))
    for offset, line in enumerate(lines):
        if not items or (is_list and _BULLET.match(line.lstrip())):
            items.append((offset, [line]))
        else:
            items[-1][1].append(line)
    for offset, item in items:
        indent = " " * indentation(item[0])
        bullet = _BULLET.match(item[0].lstrip())
        marker = bullet.group(0) if bullet else ""
        hang = indent + " " * len(marker)
        first = item[0].lstrip()[len(marker) :]

        def render_item(msgstr: str, indent=indent, marker=marker, hang=hang) -> list[str]:
            wrapped = wrap(msgstr, TEXT_WIDTH - width(hang))
            return [indent + marker + wrapped[0]] + [hang + line for line in wrapped[1:]]

        pieces.append(Unit(normalise([first, *item[1:]]), start + offset, render_item))
    return pieces


def _admonition(lines: list[str], start: int) -> Unit:
    """An admonition whose text starts on its directive line: that paragraph is one message."""
    head = lines[0][: lines[0].index("::") + 2] + " "
    hang = " " * (indentation(lines[0]) + 3)
    text = [lines[0][len(head) :], *lines[1:]]

    def render_admonition(msgstr: str) -> list[str]:
        wrapped = wrap(msgstr, TEXT_WIDTH - width(hang))
        return [head + wrapped[0]] + [hang + line for line in wrapped[1:]]

    return Unit(normalise(text), start, render_admonition)


def rst_pieces(text: str, first_line: int = 1, *, prose: bool = True) -> list[Piece]:
    """Split reStructuredText into verbatim lines and messages.

    Titles, paragraphs and list items are messages (unless ``prose`` is false:
    Sphinx translates the pages' prose itself); so are the comments in code
    blocks. Directives are kept; the content of admonitions is prose.
    """
    pieces: list[Piece] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            pieces.append(lines[index])
            index += 1
            continue
        end = index
        while end < len(lines) and lines[end].strip():
            end += 1
        paragraph, start = lines[index:end], first_line + index
        indent = indentation(paragraph[0])
        content = None  # what the indented lines that follow hold: a language, or "rst"
        directive = _DIRECTIVE.match(paragraph[0].lstrip())
        inline = paragraph[0].split("::", 1)[-1].strip() if directive else ""
        if directive and inline and directive.group(1) in _ADMONITIONS and prose:
            pieces.append(_admonition(paragraph, start))  # ".. note:: Text" starts its content
            content = "rst"
        elif directive:
            pieces.extend(paragraph)  # the directive line, its arguments and options
            name = directive.group(1)
            if name in _CODE_DIRECTIVES:
                content = paragraph[0].split("::", 1)[1].strip() or "python"
            elif name in _PROSE_DIRECTIVES:
                content = "rst"
            else:
                content = "verbatim"
        else:
            title = _title_length(paragraph)
            if title and prose:  # body text may follow a title without a blank line
                pieces.extend(_title(paragraph[:title], start))
            if paragraph[title:] and prose:
                pieces.extend(_prose(paragraph[title:], start + title))
            if not prose:
                pieces.extend(paragraph)
            if paragraph[-1].rstrip().endswith("::"):
                content = "python"  # a literal block, highlighted as Python by default
        index = end
        if content:  # the block: every following line that is blank or indented deeper
            while end < len(lines) and (not lines[end].strip() or indentation(lines[end]) > indent):
                end += 1
            while end > index and not lines[end - 1].strip():
                end -= 1
            block, start = lines[index:end], first_line + index
            if content == "rst" and block:
                inner = min(indentation(line) for line in block if line.strip())
                text = "\n".join(line[inner:] for line in block)
                pieces.append(indented(rst_pieces(text, start, prose=prose), inner))
            elif content == "verbatim":
                pieces.extend(block)
            elif block:
                pieces.extend(code_block_pieces(block, content, start))
            index = end
    return pieces
