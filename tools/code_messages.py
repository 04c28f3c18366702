"""Comments in code as messages: a run of full-line comments is one, so is a trailing one.

Comments addressed to tools (``# noqa``, ``# %%``, sphinx-gallery's settings) stay as
written; sphinx-gallery's tags and the text that code shows are labels
(``code_labels.py``).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import replace

from code_labels import Label, labels
from messages import (
    CODE_WIDTH,
    Inline,
    Piece,
    Unit,
    between,
    indentation,
    indented,
    normalise,
    width,
    wrap,
)

# Comments that are instructions to tools, not prose: kept as they are.
_TOOL_COMMENT = re.compile(r"#\s*(sphinx_gallery_|noqa|fmt:|type:|pragma|ruff:|%%|!|-\*-)")
# A shell comment: a "#" that starts the line or follows a space.
_SHELL_COMMENT = re.compile(r"(^|\s)#(\s|$)")
# sphinx-gallery's tags, which its pages show: translated like the labels in code.
_TAGS = re.compile(r"#\s*sphinx_gallery_tags\s*=\s*(\[.*\])\s*$")


def comment_tokens(source: str) -> dict[int, tuple[int, str]]:
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
    ``starts`` maps one to the labels that start on that line (see
    :func:`code_labels.labels`, whose positions count lines the same way). A run of
    full-line comments at one indentation is one message; so is each comment that follows
    code, and each label. Comments addressed to tools stay as they are.
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
        parts += [between(lines, start, here, begin), unit]
        here = end
    parts.append(between(lines, start, here, (start + len(lines) - 1, len(lines[-1]))))
    return Inline(parts)


def code_block_pieces(lines: list[str], language: str, first_line: int) -> list[Piece]:
    """The content of a literal block or code directive: only its comments are messages."""
    if language in ("python", "python3", "py", "default"):
        dedent = min(indentation(line) for line in lines if line.strip())
        code = [line[dedent:] for line in lines]
        try:
            comments = comment_tokens("\n".join(code))
        except (tokenize.TokenError, SyntaxError):
            comments = _shell_comments(code)  # not Python after all: take "# " comments
        return [indented(code_pieces(code, comments, first_line), dedent)]
    if language in ("console", "shell", "bash", "sh", "shell-session"):
        return code_pieces(lines, _shell_comments(lines), first_line)
    return list(lines)  # other languages: verbatim
