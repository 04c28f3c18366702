"""The text that code shows, as messages: which string literals are labels, and read-back.

A label is translated in the Korean copy of an example (``labels.po``); the printed
ones are also read back into English (:func:`printed_english`), so that the checks of
the printed figures find the same numbers on both languages' pages.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from messages import Unit, between

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
                tokens.append((begin, token.end, between(lines, 1, begin, token.end)))
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
    gaps = [between(lines, 1, pieces[i][1], pieces[i + 1][0]) for i in range(len(pieces) - 1)]

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
