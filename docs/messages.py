r"""Turn English sources into translation messages, and write translations back into them.

This is the pure part of ``translate.py``: text in, text out, no files and no
catalogs. A source (a gallery script, a page, a gallery header) becomes a list
of *pieces*: lines kept verbatim, and messages (:class:`Unit`) that know how to
write their translation back in place (rewrapped, re-underlined, re-commented).
:func:`units` lists the messages; :func:`render` writes the source again with
each message replaced by its translation::

    pieces = script_pieces(source)
    msgids = [unit.msgid for unit in units(pieces)]
    korean = "\n".join(render(pieces, translate))  # translate: msgid -> msgstr
"""

from __future__ import annotations

import io
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

TEXT_WIDTH = 79  # display columns of a wrapped paragraph; a Hangul syllable counts two
CODE_WIDTH = 100  # the project's line length, for translated comments


# -- Text: paragraphs, titles and list items ------------------------------------------------


@dataclass
class Unit:
    """One translatable message and how to write its translation back."""

    msgid: str
    line: int  # 1-based line in the source file, for the catalog's ``#:`` comments
    render: Callable[[str], list[str]]  # translation -> output lines


@dataclass
class Group:
    """Pieces whose rendered lines are transformed together (commented out, quoted)."""

    pieces: list[Piece]
    transform: Callable[[list[str]], list[str]]


Piece = str | Unit | Group  # an output line kept verbatim, a message, or a group of them


def units(pieces: list[Piece]) -> Iterator[Unit]:
    """Every message in ``pieces``, in order."""
    for piece in pieces:
        if isinstance(piece, Unit):
            yield piece
        elif isinstance(piece, Group):
            yield from units(piece.pieces)


def render(pieces: list[Piece], translate: Callable[[str], str]) -> list[str]:
    """The output lines, each message replaced by ``translate(msgid)``."""
    lines: list[str] = []
    for piece in pieces:
        if isinstance(piece, Unit):
            lines.extend(piece.render(translate(piece.msgid)))
        elif isinstance(piece, Group):
            lines.extend(piece.transform(render(piece.pieces, translate)))
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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


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
        indent = " " * _indent(item[0])
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
    hang = " " * (_indent(lines[0]) + 3)
    text = [lines[0][len(head) :], *lines[1:]]

    def render_admonition(msgstr: str) -> list[str]:
        wrapped = wrap(msgstr, TEXT_WIDTH - width(hang))
        return [head + wrapped[0]] + [hang + line for line in wrapped[1:]]

    return Unit(normalise(text), start, render_admonition)


def _indented(pieces: list[Piece], indent: int) -> Group:
    prefix = " " * indent
    return Group(pieces, lambda rendered: [prefix + line if line else line for line in rendered])


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
        indent = _indent(paragraph[0])
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
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
                end += 1
            while end > index and not lines[end - 1].strip():
                end -= 1
            block, start = lines[index:end], first_line + index
            if content == "rst" and block:
                inner = min(_indent(line) for line in block if line.strip())
                text = "\n".join(line[inner:] for line in block)
                pieces.append(_indented(rst_pieces(text, start, prose=prose), inner))
            elif content == "verbatim":
                pieces.extend(block)
            elif block:
                pieces.extend(code_block_pieces(block, content, start))
            index = end
    return pieces


# -- Code: comments ---------------------------------------------------------------------------

# Comments that are instructions to tools, not prose: kept as they are.
_TOOL_COMMENT = re.compile(r"#\s*(sphinx_gallery_|noqa|fmt:|type:|pragma|ruff:|%%|!|-\*-)")
# A shell comment: a "#" that starts the line or follows a space.
_SHELL_COMMENT = re.compile(r"(^|\s)#(\s|$)")


def _comment_tokens(source: str) -> dict[int, tuple[int, str]]:
    """Line number -> (column, text) of the comment on that line, found by tokenize."""
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string)
    return comments


def _shell_comments(lines: list[str]) -> dict[int, tuple[int, str]]:
    comments = {}
    for number, line in enumerate(lines, start=1):
        match = _SHELL_COMMENT.search(line)
        if match:
            column = match.start() + len(match.group(1))
            comments[number] = (column, line[column:])
    return comments


def _comment(texts: list[str], prefix: str, line: int, *, trailing: bool) -> Unit:
    """Comment lines (``texts``, without their ``#``) as one message."""

    def render_comment(msgstr: str) -> list[str]:
        if trailing:  # stays on its line of code
            return [prefix + "# " + msgstr]
        return [prefix + "# " + part for part in wrap(msgstr, CODE_WIDTH - width(prefix) - 2)]

    return Unit(normalise(texts), line, render_comment)


def code_pieces(lines: list[str], comments: dict[int, tuple[int, str]], first_line: int):
    """Code lines, verbatim, and their comments as messages.

    ``comments`` maps a 1-based index into ``lines`` to the comment's (column, text).
    A run of full-line comments at one indentation is one message; so is each
    comment that follows code. Comments addressed to tools stay as they are.
    """
    pieces: list[Piece] = []
    index = 0
    while index < len(lines):
        line, comment = lines[index], comments.get(index + 1)
        if comment is None or _TOOL_COMMENT.match(comment[1]):
            pieces.append(line)
            index += 1
            continue
        column, text = comment
        if line[:column].strip():  # a comment after code
            pieces.append(_comment([text[1:]], line[:column], first_line + index, trailing=True))
            index += 1
            continue
        end = index + 1  # a run of full-line comments at one indentation
        while (
            end + 1 in comments
            and comments[end + 1][0] == column
            and not lines[end][:column].strip()
            and not _TOOL_COMMENT.match(comments[end + 1][1])
        ):
            end += 1
        texts = [comments[number][1][1:] for number in range(index + 1, end + 1)]
        pieces.append(_comment(texts, line[:column], first_line + index, trailing=False))
        index = end
    return pieces


def code_block_pieces(lines: list[str], language: str, first_line: int) -> list[Piece]:
    """The content of a literal block or code directive: only its comments are messages."""
    if language in ("python", "python3", "py", "default"):
        dedent = min(_indent(line) for line in lines if line.strip())
        code = [line[dedent:] for line in lines]
        try:
            comments = _comment_tokens("\n".join(code))
        except (tokenize.TokenError, SyntaxError):
            comments = _shell_comments(code)  # not Python after all: take "# " comments
        return [_indented(code_pieces(code, comments, first_line), dedent)]
    if language in ("console", "shell", "bash", "sh", "shell-session"):
        return code_pieces(lines, _shell_comments(lines), first_line)
    return list(lines)  # other languages: verbatim


# -- Examples: docstring, text blocks, comments ---------------------------------------------

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


def script_pieces(source: str) -> list[Piece]:
    """Split a gallery script into verbatim lines and messages.

    The module docstring and the ``# %%`` text blocks are reStructuredText (see
    :func:`rst_pieces`); comments are messages too (see :func:`code_pieces`).
    """
    lines = source.split("\n")
    comments = _comment_tokens(source)
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
            pieces.extend(code_pieces(lines[code_start:index], code, code_start + 1))
        if index == len(lines):
            break
        if not _BLOCK_HEADER.match(lines[index]):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].startswith("#"):
            end += 1
        block = [text[1:] for text in lines[index + 1 : end]]
        dedent = min((_indent(text) for text in block if text.strip()), default=0)
        text = "\n".join(text[dedent:] for text in block)
        pieces += [lines[index], Group(rst_pieces(text, first_line=index + 2), _commented)]
        index = code_start = end
    return pieces
