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

import ast
import io
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

TEXT_WIDTH = 79  # display columns of a wrapped paragraph; a Hangul syllable counts two
CODE_WIDTH = 100  # the project's line length, for translated comments


# -- Text: paragraphs, titles and list items ------------------------------------------------


@dataclass
class Unit:
    """One translatable message and how to write its translation back."""

    msgid: str
    line: int  # 1-based line in the source file, for the catalog's ``#:`` comments
    render: Callable[[str], list[str]]  # translation -> output lines
    # A label (see :func:`labels`): its literal's prefix and opening quote, as in 'f"'; Python
    # reads the message as what follows them. Empty for prose and comments.
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
# sphinx-gallery's tags, which its pages show: translated like the labels in code.
_TAGS = re.compile(r"#\s*sphinx_gallery_tags\s*=\s*(\[.*\])\s*$")


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


def code_pieces(
    lines: list[str],
    comments: dict[int, tuple[int, str]],
    first_line: int,
    starts: dict[int, list[Label]] | None = None,
) -> list[Piece]:
    """Code lines, verbatim, and their comments and labels as messages.

    ``comments`` maps a 1-based index into ``lines`` to the comment's (column, text);
    ``starts`` maps one to the labels that start on that line (see :func:`labels`, whose
    positions count lines the same way). A run of full-line comments at one indentation
    is one message; so is each comment that follows code, and each label. Comments
    addressed to tools stay as they are.
    """
    starts = starts or {}
    pieces: list[Piece] = []
    index = 0
    while index < len(lines):
        line, comment = lines[index], comments.get(index + 1)
        if index + 1 in starts:  # the lines its labels span, with their comments
            end = _inline_end(starts, index + 1)
            run = [label for n in range(index + 1, end + 1) for label in starts.get(n, [])]
            pieces.append(_inline(lines[index:end], comments, run, index + 1, first_line))
            index = end
            continue
        tags = _TAGS.match(comment[1]) if comment else None
        if tags and comment:  # sphinx-gallery shows them: each tag is a label
            shift = comment[0] + tags.start(1) - len("_ = ")
            moved = [
                Label((index + 1, label.start[1] + shift), (index + 1, label.end[1] + shift),
                      replace(label.unit, line=first_line + index))
                for label in labels("_ = " + tags[1]).get(1, [])
            ]  # fmt: skip
            pieces.append(_inline([line], {}, moved, index + 1, first_line))
            index += 1
            continue
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


def _inline_end(labels: dict[int, list[Label]], start: int) -> int:
    """The last line of the run that starts at line ``start``: as far as its labels reach."""
    end = number = start
    while number <= end:
        for label in labels.get(number, []):
            end = max(end, label.end[0])
        number += 1
    return end


def _inline(
    lines: list[str], comments: dict, found: list[Label], start: int, first_line: int
) -> Inline:
    """Lines (the first is line ``start``) holding labels: the code between them verbatim."""
    spans = [(label.start, label.end, label.unit) for label in found]
    for offset, line in enumerate(lines):
        comment = comments.get(start + offset)
        if comment and not _TOOL_COMMENT.match(comment[1]):  # stays on its line of code
            column, text = comment
            unit = Unit(normalise([text[1:]]), first_line + offset, lambda m: ["# " + m])
            spans.append(((start + offset, column), (start + offset, len(line)), unit))
    parts: list[str | Unit] = []
    here = (start, 0)  # where the verbatim code resumes
    for begin, end, unit in sorted(spans, key=lambda span: span[0]):
        parts += [_between(lines, start, here, begin), unit]
        here = end
    parts.append(_between(lines, start, here, (start + len(lines) - 1, len(lines[-1]))))
    return Inline(parts)


def _between(lines: list[str], start: int, begin: tuple[int, int], end: tuple[int, int]) -> str:
    """The text from ``begin`` to ``end``, (line, column) with ``lines[0]`` being line ``start``."""
    first, last = begin[0] - start, end[0] - start
    if first == last:
        return lines[first][begin[1] : end[1]]
    return "\n".join([lines[first][begin[1] :], *lines[first + 1 : last], lines[last][: end[1]]])


# -- Code: labels -----------------------------------------------------------------------------
# A figure's title, axis labels and legend, and the labels of printed lines, are string
# literals in the examples' code. The Korean copies translate them (labels.po); every other
# literal stays as written, because code uses it: a colour, a method's name, a device.
#
# The rule, for a string literal outside the module's docstring and an f-string's
# {placeholders}: it is a label when its text (outside {placeholders} and $math$, but with
# the quoted texts of placeholders such as {'final loss':>10}) has a word of two letters or
# more, and the code does not use it as a name. Assert messages and one-line docstrings of
# functions are labels too: a Korean reader reads them beside the Korean comments. Names are
#   * values of keyword arguments other than label=, title=, xlabel= and ylabel=;
#   * dict keys, indexes, comparison operands, set elements, and arguments of calls other
#     than print() and matplotlib's text functions, unless the text has a space: a text
#     with spaces is a caption, not a name, and all its copies get one translation, so
#     code that looks it up or compares it still finds it;
# and a text without spaces that is a name somewhere in a file is a name everywhere in it.
# A label's message is its source between the quotes (an f-string's with its
# {placeholders}; the pieces of an implicit concatenation joined), so translations keep
# escapes and placeholders as they are written.

TEXT_KEYWORDS = {"label", "title", "xlabel", "ylabel"}
TEXT_CALLS = {"print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "text", "annotate"}
_WORD = re.compile(r"[A-Za-z]{2,}")
_MATH_TEXT = re.compile(r"\$[^$]*\$")
_STRING = re.compile(r"^([rRbBuUfF]*)('''|\"\"\"|'|\")(.*)\2$", re.DOTALL)


@dataclass
class Label:
    """A label in code: its message, and where it starts and ends ((line, column))."""

    start: tuple[int, int]
    end: tuple[int, int]
    unit: Unit


def fields(text: str) -> list[tuple[int, int]]:
    """Spans of the ``{placeholders}`` in an f-string's source (``{{`` and ``}}`` are text)."""
    spans, index = [], 0
    while index < len(text):
        char = text[index]
        if char in "{}" and text[index + 1 : index + 2] == char:
            index += 2
        elif char == "{":
            depth, end, quote = 1, index + 1, ""
            while end < len(text) and depth:
                if quote:
                    quote = "" if text[end] == quote else quote
                elif text[end] in "'\"":
                    quote = text[end]
                else:
                    depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            spans.append((index, end))
            index = end
        else:
            index += 1
    return spans


def placeholders(text: str) -> list[str]:
    """The placeholders of an f-string's source that hold code: a translation keeps them all.

    One that only holds a quoted text (``{'final loss':>11}``) is text, free to translate.
    """
    found = [text[start:end] for start, end in fields(text)]
    return sorted(field for field in found if not _STRING.match(field[1:-1].split(":")[0]))


def prose(text: str, fstring: bool) -> str:
    """What a reader reads in a literal's source: its placeholders (but the quoted texts
    among them, a table's headers) and $math$ left out."""
    if fstring:
        for start, end in reversed(fields(text)):
            quoted = _STRING.match(text[start + 1 : end - 1].split(":")[0])
            text = text[:start] + " " + (quoted[3] if quoted else "") + " " + text[end:]
    return _MATH_TEXT.sub(" ", text)


def _string_tokens(source: str) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """Every string token: (start, end, text), one per piece of an implicit concatenation.

    Python 3.12 splits an f-string into FSTRING_START ... FSTRING_END tokens: they are
    joined here, so that every version sees one token per piece.
    """
    tokens, opened = [], []
    lines = source.split("\n")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind = tokenize.tok_name[token.type]
        if kind == "STRING" and not opened:
            tokens.append((token.start, token.end, token.string))
        elif kind == "FSTRING_START":
            opened.append(token.start)
        elif kind == "FSTRING_END":
            begin = opened.pop()
            if not opened:
                tokens.append((begin, token.end, _between(lines, 1, begin, token.end)))
    return tokens


def _column(lines: list[str], line: int, offset: int) -> int:
    """ast's column (a UTF-8 byte offset) as a character column."""
    return len(lines[line - 1].encode("utf-8")[:offset].decode("utf-8"))


def _split(msgstr: str, shares: list[int], fstring: bool) -> list[str]:
    """A translation cut into ``len(shares)`` pieces of about those lengths, at spaces."""
    inside = {i for start, end in (fields(msgstr) if fstring else []) for i in range(start, end)}
    cuts = [i + 1 for i, char in enumerate(msgstr) if char == " " and i not in inside]
    total, pieces, begin = sum(shares) or 1, [], 0
    for number in range(1, len(shares)):
        target = len(msgstr) * sum(shares[:number]) / total
        later = [cut for cut in cuts if cut > begin]
        cut = min(later, key=lambda c: abs(c - target)) if later else len(msgstr)
        pieces.append(msgstr[begin:cut])
        begin = cut
    return [*pieces, msgstr[begin:]]


def _label(node: ast.expr, tokens: list, lines: list[str]) -> Label | None:
    """The message of one literal (all its pieces), or None if it is not one text."""
    start = (node.lineno, _column(lines, node.lineno, node.col_offset))
    end = (
        node.end_lineno or node.lineno,
        _column(lines, node.end_lineno or 0, node.end_col_offset or 0),
    )
    pieces = [token for token in tokens if start <= token[0] and token[1] <= end]
    matches = [_STRING.match(text) for _, _, text in pieces]
    kinds = {(match[1].lower(), match[2]) for match in matches if match}
    if not pieces or None in matches or len(kinds) != 1:
        return None  # pieces of different kinds (f-string and not) are not one message
    ((prefix, quote),) = kinds
    if "b" in prefix or (len(quote) == 3 and start[0] != end[0]):
        return None  # bytes, and docstrings of several lines (their indentation is code)
    inners = [match[3] for match in matches if match]
    openers = [
        text[: len(match[1]) + len(quote)]
        for (_, _, text), match in zip(pieces, matches, strict=True)
        if match
    ]
    gaps = [_between(lines, 1, pieces[i][1], pieces[i + 1][0]) for i in range(len(pieces) - 1)]

    def render_label(msgstr: str) -> list[str]:
        parts = _split(msgstr, [len(inner) for inner in inners], "f" in prefix)
        return [
            "".join(o + p + quote + g for o, p, g in zip(openers, parts, [*gaps, ""], strict=True))
        ]

    unit = Unit("".join(inners), node.lineno, render_label, literal=prefix + quote)
    return Label(start, end, unit)


def labels(source: str) -> dict[int, list[Label]]:
    """The labels in a script's code (the rule above), by the line they start on."""
    tree = ast.parse(source)
    lines = source.split("\n")
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def in_fstring(node: ast.AST) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.JoinedStr):
                return True
        return False

    def role(node: ast.expr) -> str:
        """How the code uses a literal: "never" a label, a "name", or "text"."""
        parent = parents.get(node)
        if isinstance(parent, ast.Assert) and parent.msg is node:
            return "text"  # an assert's message: the reader sees it beside the comments
        if isinstance(parent, ast.Expr):
            owner = parents.get(parent)
            if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return "text" if owner.body[0] is parent else "never"  # a docstring
            return "never"  # the module's docstring is the page's text, not code
        while isinstance(parent, (ast.Tuple, ast.List, ast.Starred, ast.BinOp)):  # as its whole
            node, parent = parent, parents.get(parent)
        if isinstance(parent, ast.keyword):
            return "text" if parent.arg in TEXT_KEYWORDS else "never"
        if isinstance(parent, ast.Call) and node in parent.args:
            function = parent.func
            name = function.attr if isinstance(function, ast.Attribute) else ""
            name = function.id if isinstance(function, ast.Name) else name
            return "text" if name in TEXT_CALLS else "name"
        if isinstance(parent, ast.Dict) and node in parent.keys:
            return "name"
        return "name" if isinstance(parent, (ast.Subscript, ast.Compare, ast.Set)) else "text"

    strings = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        or (isinstance(node, ast.Constant) and isinstance(node.value, str))
    ]
    names = {
        node.value
        for node in strings
        if isinstance(node, ast.Constant) and role(node) == "name" and " " not in node.value
    }
    tokens = _string_tokens(source)
    found: dict[int, list[Label]] = {}
    for node in strings:
        if in_fstring(node) or role(node) == "never":
            continue
        if isinstance(node, ast.Constant) and node.value in names:
            continue
        label = _label(node, tokens, lines)
        if label is None or (role(node) == "name" and " " not in label.unit.msgid):
            continue
        if _WORD.search(prose(label.unit.msgid, isinstance(node, ast.JoinedStr))):
            found.setdefault(label.start[0], []).append(label)
    return found


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


def _shifted(label: Label, lines: int) -> Label:
    """``label`` with its line numbers moved by ``lines``."""
    start, end = label.start, label.end
    return Label((start[0] + lines, start[1]), (end[0] + lines, end[1]), label.unit)


def script_pieces(source: str) -> list[Piece]:
    """Split a gallery script into verbatim lines and messages.

    The module docstring and the ``# %%`` text blocks are reStructuredText (see
    :func:`rst_pieces`); comments are messages too (see :func:`code_pieces`).
    """
    lines = source.split("\n")
    comments = _comment_tokens(source)
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
        dedent = min((_indent(text) for text in block if text.strip()), default=0)
        text = "\n".join(text[dedent:] for text in block)
        pieces += [lines[index], Group(rst_pieces(text, first_line=index + 2), _commented)]
        index = code_start = end
    return pieces


# -- Printed labels, read back ------------------------------------------------------------------
_TEXT_FIELD = re.compile(r"^\{\s*('[^']*'|\"[^\"]*\")\s*(?::([^{}]*))?\}$")


def _printed_parts(text: str, literal: str) -> list[tuple[str, str]]:
    """A label's source as what it prints: ("text", the characters) and ("field", its source)."""
    prefix, quote = literal.rstrip("'\""), literal.lstrip("rRbBuUfF")
    fstring = "f" in prefix.lower()

    def value(source: str) -> str:
        plain = ast.literal_eval(prefix.replace("f", "").replace("F", "") + quote + source + quote)
        return plain.replace("{{", "{").replace("}}", "}") if fstring else plain

    parts, begin = [], 0
    for start, end in fields(text) if fstring else []:
        field = _TEXT_FIELD.match(text[start:end])
        parts.append(("text", value(text[begin:start])))
        if field:  # a quoted text: printed as it is, formatted
            parts.append(("text", format(ast.literal_eval(field[1]), field[2] or "")))
        else:
            parts.append(("field", text[start:end]))
        begin = end
    parts.append(("text", value(text[begin:])))
    return [part for part in parts if part[1]]


def printed_english(msgid: str, msgstr: str, literal: str) -> tuple[str, str] | None:
    """What a translated label prints, as a regular expression, and a template for ``re.sub``
    that prints the English label instead, with the same values in its placeholders.

    None when the translation prints the same as the English.
    """
    korean, english = _printed_parts(msgstr, literal), _printed_parts(msgid, literal)
    if korean == english:
        return None
    groups: dict[str, str] = {}
    pattern = ""
    for number, (kind, text) in enumerate(korean):
        if kind == "text":
            pattern += re.escape(text)
        elif text in groups:
            pattern += f"(?P={groups[text]})"
        else:
            groups[text] = f"f{len(groups)}"
            last = number == len(korean) - 1
            pattern += f"(?P<{groups[text]}>{'.*' if last else '.*?'})"
    template = "".join(
        text.replace("\\", "\\\\") if kind == "text" else f"\\g<{groups[text]}>"
        for kind, text in english
    )
    return pattern, template
