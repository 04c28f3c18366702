"""The site's own stylesheet: a rule left open swallows every rule after it, silently."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "docs" / "_static" / "site"


def test_every_block_of_the_stylesheet_closes_where_it_should():
    for sheet in sorted(STATIC.glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.DOTALL)
        text = re.sub(r'"[^"\n]*"', '""', text)  # braces in strings are text
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet.name}:{number}: a closing brace too many"
            # a rule (a selector at the start of a line) only at the top level or in @media
            if re.match(r"[.:#a-z\[*]", line) and line.rstrip().endswith(("{", ",")):
                assert depth - line.count("{") <= _media_depth(text, number), (
                    f"{sheet.name}:{number}: a rule opens inside another rule"
                )
        assert depth == 0, f"{sheet.name}: {depth} block(s) never closed"


def _media_depth(text: str, number: int) -> int:
    """How many @media/@supports blocks enclose line ``number``."""
    depth, stack = 0, []
    for line in text.splitlines()[: number - 1]:
        for char in line:
            if char == "{":
                stack.append(line.lstrip().startswith("@"))
            elif char == "}" and stack:
                stack.pop()
        depth = sum(stack)
    return depth
