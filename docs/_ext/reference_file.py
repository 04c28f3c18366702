"""docs/references.toml as data: each page's printed figures, their tolerances and values.

The file's rules are in its header (:data:`HEADER`) and in CONTRIBUTING ("Printed
figures"); :func:`load` refuses an entry that breaks them, and :func:`dump` writes the
file back so that an unchanged one dumps to itself.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from theme_messages import N_

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "docs/references.toml"  # as the note and the failure name it
RECORD_COMMAND = "LEGENDRE_RECORD_REFERENCES=1 nox -R -s docs"

# Why a page has no figure to check: a key of the file's ``none`` -> the note's message.
REASONS = {
    "no figures": N_("This page prints no figure that a reference could check."),
    "timings": N_(
        "No figure this page prints is checked against a reference: "
        "its numbers are timings, which change from run to run."
    ),
}

HEADER = f"""\
# The figures the examples print, and the values they must have (docs/_ext/legendre_references.py).
#
# Every build compares what each example printed with these references and fails with
# a table when a figure drifts. Only deterministic figures belong here, never timings.
# For each page: none = "no figures" (or "timings") when it prints no figure to check;
# else `dtype` when its "Running on:" line names none, then its figures, each
# with a `label` (translated in locales/ko/LC_MESSAGES/sphinx.po), a `pattern` whose one
# group captures the number from the printed output (matched on every line: a figure
# printed on several lines has a list of values), a tolerance and, per "device/dtype",
# the reference value. A figure passes within max(abs, rel * |reference|):
#   rel 1e-05  float32 training: another CPU's vector width moves the last digits
#   abs        figures printed rounded (one unit of the last digit printed), and
#              differences that are zero up to rounding
#
# After an intended change, record what ran (device and dtype of this machine):
#   {RECORD_COMMAND}
# which rewrites this file, keeping labels, patterns and tolerances, and drafts the entry
# of a new page (its "<label>: <number>" lines, or none = "no figures"); review the diff.
"""


@dataclass
class Figure:
    label: str
    pattern: str
    relative: float = 0.0  # "rel" in the file
    absolute: float = 0.0  # "abs" in the file
    values: dict[str, float | list[float]] = field(default_factory=dict)  # "cpu/float32" -> ...

    def tolerance(self, reference: float) -> float:
        return max(self.absolute, self.relative * abs(reference))


@dataclass
class Page:
    dtype: str | None = None
    none: str | None = None  # a key of REASONS
    figures: list[Figure] = field(default_factory=list)


@dataclass
class References:
    other_device_factor: float
    pages: dict[str, Page]  # "core/plot_01_custom_function" -> ...


def load(text: str) -> References:
    data = tomllib.loads(text)
    pages = {}
    for name, page in data["pages"].items():
        figures = []
        for figure in page.get("figures", []):
            values = {key: value for key, value in figure.items() if "/" in key}
            known = {"label", "pattern", "rel", "abs"}
            if set(figure) - known - set(values):
                raise ValueError(
                    f"{name}: unknown keys {sorted(set(figure) - known - set(values))}"
                )
            if re.compile(figure["pattern"]).groups != 1:
                raise ValueError(f"{name}: the pattern of {figure['label']!r} needs one group")
            relative, absolute = (float(figure.get(key, 0.0)) for key in ("rel", "abs"))
            figures.append(Figure(figure["label"], figure["pattern"], relative, absolute, values))
        if page.get("none") is not None and page["none"] not in REASONS:
            raise ValueError(f"{name}: none = {page['none']!r}, not one of {sorted(REASONS)}")
        if bool(figures) == bool(page.get("none")):
            raise ValueError(f"{name}: give its figures, or none = <reason>, not both")
        pages[name] = Page(page.get("dtype"), page.get("none"), figures)
    return References(float(data["other_device_factor"]), pages)


def _string(text: str, literal: bool = False) -> str:
    """A TOML string; ``literal`` keeps a pattern's backslashes as they are written."""
    if literal and "\n" not in text and "'''" not in text and not text.endswith("'"):
        return f"'{text}'" if "'" not in text else f"'''{text}'''"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    return repr(float(value))  # the shortest text that reads back as the same float


def dump(references: References) -> str:
    """The file's text, its pages in name order: ``load(dump(r)) == r`` up to that order,
    and an unchanged file dumps to itself."""
    lines = [HEADER, f"other_device_factor = {_number(references.other_device_factor)}"]
    for name, page in sorted(references.pages.items()):
        lines += ["", f'[pages."{name}"]']
        lines += [f"dtype = {_string(page.dtype)}"] if page.dtype else []
        lines += [f"none = {_string(page.none)}"] if page.none else []
        for figure in page.figures:
            lines += ["", f'[[pages."{name}".figures]]', f"label = {_string(figure.label)}"]
            lines += [f"pattern = {_string(figure.pattern, literal=True)}"]
            lines += [f"rel = {_number(figure.relative)}"] if figure.relative else []
            lines += [f"abs = {_number(figure.absolute)}"] if figure.absolute else []
            for key, value in figure.values.items():
                if isinstance(value, list):
                    lines += [f'"{key}" = [', *(f"    {_number(v)}," for v in value), "]"]
                else:
                    lines.append(f'"{key}" = {_number(value)}')
    return "\n".join(lines) + "\n"
