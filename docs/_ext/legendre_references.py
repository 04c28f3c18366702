"""Check the figures the examples print against docs/references.toml, and say so on each page.

The rules for a page's entry, and recording one, are in CONTRIBUTING ("Printed figures").
After sphinx-gallery has run the examples, this reads each one's printed output from the
reST it generated and logs one error with a table of the figures that drifted (the build
goes on, then exits with 1); each example page ends with a note, translated through the
theme catalog, saying what was checked or why nothing was. The Korean output is read back
in English through ``printed_labels.json`` (written by tools/translate.py), so the same
patterns find the same numbers. A device without references of its own is compared with
the CPU's, each tolerance times ``other_device_factor``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from example_filter import example_pages
from sphinx.errors import SphinxError
from sphinx.locale import _
from sphinx.util import logging

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "docs/references.toml"  # as the note and the failure name it
logger = logging.getLogger(__name__)
RECORD_COMMAND = "LEGENDRE_RECORD_REFERENCES=1 nox -R -s docs"
PRINTED_LABELS = "printed_labels.json"  # beside the Korean sources, by tools/translate.py
RUNNING_ON = re.compile(r"^Running on: (\w+)\S*(?: \(torch\.(\w+)\))?$", re.MULTILINE)
# What a page with figures must print, so that its figures are compared per device and dtype
MISSING_RUNNING_ON = (
    "the line `print(f'Running on: {device} ({dtype})')` (or `dtype = ...` in the file's entry)"
)
# A printed line a new page's draft entry turns into a figure: "<label>: <number>"
NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
DRAFTED = re.compile(rf"^([A-Za-z][\w ,.()'/=-]*?): *({NUMBER})$", re.MULTILINE)

# Why a page has no figure to check: a key of the file's ``none`` -> the note's message.
REASONS = {
    "no figures": "This page prints no figure that a reference could check.",
    "timings": "No figure this page prints is checked against a reference: "
    "its numbers are timings, which change from run to run.",
}
# The note's messages, translated from the theme catalog (the figures' labels too).
TITLE = "Checked at build time"
TITLE_UNCHECKED = "Not checked at build time"
CHECKED = "What this run on {ran} printed matches the references in {file}:"
OTHER_DEVICE = (
    "This run on {ran} has no references of its own: what it printed matches the references "
    "for {key} in {file}, within {factor} times their tolerance:"
)
NO_REFERENCE = "This run on {ran} has no references in {file}: its figures were not checked."
NOT_RUN = "This page did not run in this build: its figures were not checked."
RELATIVE = "relative tolerance {0}"
ABSOLUTE = "absolute tolerance {0}"
MESSAGES = [
    TITLE,
    TITLE_UNCHECKED,
    CHECKED,
    OTHER_DEVICE,
    NO_REFERENCE,
    NOT_RUN,
    RELATIVE,
    ABSOLUTE,
    *REASONS.values(),
]

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


class ReferenceDrift(SphinxError):
    category = f"The examples' printed figures do not match {FILE}"


# -- The reference file ------------------------------------------------------------------------


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
    """The file's text: ``load(dump(r)) == r``, and an unchanged file dumps to itself."""
    lines = [HEADER, f"other_device_factor = {_number(references.other_device_factor)}"]
    for name, page in references.pages.items():
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


# -- What ran --------------------------------------------------------------------------------


def printed_output(rst: str) -> str | None:
    """Everything an example printed, from the reST sphinx-gallery wrote; None if it did not run."""
    blocks = []
    lines = rst.splitlines()
    for number, line in enumerate(lines):
        if line.strip() != ".. rst-class:: sphx-glr-script-out":
            continue
        start = next(i for i in range(number + 1, len(lines)) if lines[i].strip())  # code-block
        block = []
        for text in lines[start + 1 :]:
            if text.strip() and not text.startswith("    "):
                break
            block.append(text[4:])
        blocks.append("\n".join(block).strip("\n"))
    return "\n".join(blocks) if blocks else None


def in_english(output: str, labels: list[tuple[str, str]]) -> str:
    """``output`` with each translated label printed in English again, its values kept.

    ``labels`` holds (what a translation prints, as a regular expression; a template that
    prints the English label with the expression's groups), longest first.
    """
    for printed, english in labels:
        output = re.sub(printed, english, output)
    return output


def ran_on(output: str, dtype: str | None) -> str | None:
    """``"cpu/float32"``: the device of the page's "Running on:" line and its (or the page's) dtype."""
    line = RUNNING_ON.search(output)
    if line is None or (line[2] or dtype) is None:
        return None
    return f"{line[1]}/{line[2] or dtype}"


# -- Comparing -----------------------------------------------------------------------------------


@dataclass
class Check:
    """One printed figure (or its absence) against its reference."""

    page: str
    figure: str
    value: float | str  # a string says what was printed instead of one number
    reference: float | str
    tolerance: float
    against: str  # the references it was compared with: "cpu/float32", or "cpu/float32 ×100"

    @property
    def ok(self) -> bool:
        if isinstance(self.value, str) or isinstance(self.reference, str):
            return False
        return abs(self.value - self.reference) <= self.tolerance  # False for NaN


@dataclass
class Outcome:
    """What the build found for one page; ``status`` chooses its note."""

    page: str
    status: str  # checked, other device, no reference, not run, none
    ran: str | None = None
    key: str | None = None
    factor: float = 1.0
    checks: list[Check] = field(default_factory=list)
    reason: str | None = None


def found(figure: Figure, output: str) -> list[float]:
    return [float(match[1]) for match in re.finditer(figure.pattern, output, re.MULTILINE)]


def compare(name: str, page: Page, output: str | None, factor: float) -> Outcome:
    """Compare what one page printed (``None``: it did not run) with its references."""
    if page.none:
        return Outcome(name, "none", reason=page.none)
    if output is None:
        return Outcome(name, "not run")
    ran = ran_on(output, page.dtype)
    if ran is None:
        missing = Check(name, MISSING_RUNNING_ON, "not printed", "", 0.0, "")
        return Outcome(name, "checked", checks=[missing])
    key, scale, status = ran, 1.0, "checked"
    if not all(ran in figure.values for figure in page.figures):
        key, scale, status = "cpu/" + ran.split("/")[1], factor, "other device"
        if ran.startswith("cpu/") or not all(key in figure.values for figure in page.figures):
            return Outcome(name, "no reference", ran=ran)
    against = key if scale == 1 else f"{key} ×{scale:g}"
    checks = []
    for figure in page.figures:
        values, reference = found(figure, output), figure.values[key]
        references = reference if isinstance(reference, list) else [reference]
        if len(values) != len(references):
            times = f"printed {len(values)} times, not {len(references)}"
            shown = references[0] if len(references) == 1 else f"{len(references)} values"
            tolerance = figure.tolerance(references[0]) * scale
            checks.append(Check(name, figure.label, times, shown, tolerance, against))
            continue
        for number, (value, expected) in enumerate(zip(values, references, strict=True), start=1):
            label = figure.label + (f" #{number}" if len(references) > 1 else "")
            tolerance = figure.tolerance(expected) * scale
            checks.append(Check(name, label, value, expected, tolerance, against))
    return Outcome(name, status, ran, key, scale, checks)


def record(page: Page, output: str | None) -> Page:
    """``page`` with the values that ``output`` printed as its references for the device that ran."""
    if page.none or output is None:
        return page
    ran = ran_on(output, page.dtype)
    if ran is None:
        raise ReferenceDrift(f"cannot record a page without its {MISSING_RUNNING_ON!r} line")
    figures = []
    for figure in page.figures:
        values = found(figure, output)
        if not values:
            raise ReferenceDrift(f"cannot record {figure.label!r}: its pattern matches nothing")
        new = {**figure.values, ran: values if len(values) > 1 else values[0]}
        figures.append(replace(figure, values=new))
    return replace(page, figures=figures)


def draft(output: str | None) -> Page:
    """A new page's entry: a figure for each ``<label>: <number>`` line it printed, else none.

    Each figure's tolerance is one unit of the last digit printed (``abs``), or a relative
    1e-05 for a number printed in full (``repr``, more than six digits); a person reviews
    the draft, adds ``dtype`` if the page's "Running on:" line names none, and moves a
    timing to ``none = "timings"``.
    """
    figures = []
    for match in DRAFTED.finditer(output or ""):
        label, number = match[1].strip(), match[2]
        digits = number.split("e")[0].split("E")[0]
        decimals = len(digits.partition(".")[2])
        if len(digits.lstrip("-").replace(".", "").lstrip("0")) > 6:
            tolerance = {"relative": 1e-05}
        else:
            tolerance = {"absolute": 10.0**-decimals if decimals else 0.5}
        pattern = "^" + re.escape(label).replace("\\ ", " ") + r": *(\S+)$"
        figures.append(Figure(label, pattern, **tolerance))
    return Page(figures=figures) if figures else Page(none="no figures")


def _shown(value: float | str) -> str:
    return value if isinstance(value, str) else repr(value)


def table(checks: list[Check]) -> str:
    """The drifted figures, one line each, in aligned columns."""
    header = ("page", "figure", "value", "reference", "tolerance", "against")
    rows = [header] + [
        (c.page, c.figure, _shown(c.value), _shown(c.reference), f"±{c.tolerance:.2g}", c.against)
        for c in checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def failure(drifted: list[Check], problems: list[str]) -> str:
    """The message the build fails with."""
    count = f"{len(drifted)} printed figure(s) differ from their references"
    parts = [f"{count}:\n\n{table(drifted)}"] if drifted else []
    parts += problems
    parts.append(
        "Fix the example, or, if the change is intended, record what ran with\n"
        f"`{RECORD_COMMAND}` and review `git diff {FILE}`. A page whose figures are "
        "compared prints\n" + MISSING_RUNNING_ON + "; each figure's label needs its "
        "Korean in docs/locales/ko/LC_MESSAGES/sphinx.po."
    )
    return "\n\n".join(parts)


# -- The note on each page ---------------------------------------------------------------------


def _tolerance_text(figure: Figure, scale: float) -> str:
    parts = [_(RELATIVE).format(f"{figure.relative * scale:g}")] if figure.relative else []
    parts += [_(ABSOLUTE).format(f"{figure.absolute * scale:g}")] if figure.absolute else []
    return ", ".join(parts)


def note(outcome: Outcome, page: Page) -> str:
    """The reST of the page's note, in the build's language."""
    if outcome.status == "none":
        text, items = _(REASONS[outcome.reason]), []
    elif outcome.status == "not run":
        text, items = _(NOT_RUN), []
    elif outcome.status == "no reference":
        text, items = _(NO_REFERENCE).format(ran=f"``{outcome.ran}``", file=f"``{FILE}``"), []
    else:
        message = CHECKED if outcome.status == "checked" else OTHER_DEVICE
        text = _(message).format(
            ran=f"``{outcome.ran}``", key=f"``{outcome.key}``", file=f"``{FILE}``",
            factor=f"{outcome.factor:g}",
        )  # fmt: skip
        items = []
        for figure in page.figures:
            reference = figure.values[outcome.key]
            times = f" (×{len(reference)})" if isinstance(reference, list) else ""
            label = re.sub(r"([\\`*_|])", r"\\\1", str(_(figure.label)))  # text, not markup
            items.append(f"- {label}{times}: {_tolerance_text(figure, outcome.factor)}")
    title = _(TITLE) if outcome.status in ("checked", "other device") else _(TITLE_UNCHECKED)
    body = [text, "", *items] if items else [text]
    status = "legendre-" + outcome.status.replace(" ", "-")  # tests find "legendre-not-run"
    return "\n".join(
        [f".. admonition:: {title}", f"   :class: note legendre-references {status}", ""]
        + [f"   {line}" if line else "" for line in body]
    )


def summary(outcome: Outcome, page: Page) -> dict:
    """The note's facts as data, for the page's notebooks (their metadata)."""
    found = {"status": outcome.status, "file": FILE}
    if outcome.status in ("checked", "other device"):
        found |= {"ran_on": outcome.ran, "compared_with": outcome.key, "factor": outcome.factor}
        found["figures"] = [
            {"label": figure.label, "relative": figure.relative * outcome.factor,
             "absolute": figure.absolute * outcome.factor}
            for figure in page.figures
        ]  # fmt: skip
    elif outcome.status == "none":
        found["reason"] = REASONS[outcome.reason]
    elif outcome.status == "no reference":
        found["ran_on"] = outcome.ran
    return found


def insert_note(source: str, text: str) -> str:
    """Put the note just before the page's running time, or at its end."""
    anchor = ".. rst-class:: sphx-glr-timing"
    if anchor in source:
        return source.replace(anchor, text + "\n\n" + anchor, 1)
    return source.rstrip("\n") + "\n\n" + text + "\n"


# -- Sphinx ------------------------------------------------------------------------------------


def check(
    references: References, outputs: dict[str, str | None], recording: bool = False
) -> dict[str, Outcome]:
    """Compare what each example printed (``None``: it did not run) with its references.

    Raises :class:`ReferenceDrift`, with a table, when a figure drifted or the file and
    the examples disagree. ``recording`` first takes what ran as the references.
    """
    problems = [
        f"{FILE} has no entry for the example {name}: draft one with `{RECORD_COMMAND}` "
        f'(then review it), or add [pages."{name}"] with none = "no figures" by hand'
        for name in outputs
        if name not in references.pages and not recording
    ]
    problems += [f"{FILE} names {name}, which is not an example"
                 for name in references.pages if name not in outputs]  # fmt: skip
    if problems:
        raise ReferenceDrift(failure([], problems))
    if recording:
        for name, output in outputs.items():
            if name not in references.pages:
                references.pages[name] = draft(output)
            references.pages[name] = record(references.pages[name], output)
        references.pages = dict(sorted(references.pages.items()))
    factor = references.other_device_factor
    outcomes = {
        name: compare(name, references.pages[name], output, factor)
        for name, output in outputs.items()
    }
    drifted = [check for outcome in outcomes.values() for check in outcome.checks if not check.ok]
    if drifted:
        raise ReferenceDrift(failure(drifted, []))
    return outcomes


def check_examples(app) -> None:
    """Compare (or record) every example's printed figures, then keep each page's note."""
    if app.builder.format != "html":  # gettext and the like run no example
        return
    path = Path(app.confdir, app.config.legendre_references)
    references = load(path.read_text(encoding="utf-8"))
    conf = app.config.sphinx_gallery_conf  # one gallery folder: see conf.py
    examples = Path(app.srcdir, conf["examples_dirs"])
    gallery = Path(app.srcdir, conf["gallery_dirs"])
    labels = []  # the English build prints English labels
    if app.config.language not in (None, "en"):
        table = Path(app.srcdir).parent / PRINTED_LABELS
        labels = [(printed, english) for printed, english in json.loads(table.read_text("utf-8"))]
    outputs = {}
    for name in example_pages(examples):
        rst = gallery / (name + ".rst")
        output = printed_output(rst.read_text(encoding="utf-8")) if rst.is_file() else None
        outputs[name] = None if output is None else in_english(output, labels)
    app.env.legendre_reference_notes = {}  # none left from an earlier build, whatever happens
    app.legendre_reference_summaries = {}
    recording = app.config.legendre_record_references
    try:
        outcomes = check(references, outputs, recording)
    except ReferenceDrift as drift:
        # logged rather than raised: Sphinx reports an exception with its versions, a
        # traceback and a request to tell its own developers, around the table
        logger.error(f"{drift.category}:\n{drift}")
        app.statuscode = 1  # the build fails even without -W; it goes on, to show all errors
        return
    if recording and app.config.language in (None, "en"):  # one writer: both languages build
        path.write_text(dump(references), encoding="utf-8")
        logger.info(f"recorded the printed figures in {path}: review them with git diff")
    prefix = gallery.relative_to(app.srcdir).as_posix()
    app.env.legendre_reference_notes = {
        f"{prefix}/{name}": note(outcome, references.pages[name])
        for name, outcome in outcomes.items()
    }
    app.legendre_reference_summaries = {  # by the example's file stem, as the notebooks
        name.rsplit("/", 1)[-1]: summary(outcome, references.pages[name])
        for name, outcome in outcomes.items()
    }


def pages_not_run(html: Path) -> list[str]:
    """The example pages of a built site (either language) whose example did not run in it."""
    return sorted(
        page.relative_to(html).as_posix()
        for page in html.glob("**/auto_examples/*/plot_*.html")
        if "legendre-not-run" in page.read_text(encoding="utf-8")  # the class of NOT_RUN's note
    )


def add_note(app, docname: str, source: list[str]) -> None:
    notes = getattr(app.env, "legendre_reference_notes", {})
    if docname in notes:
        source[0] = insert_note(source[0], notes[docname])
        # a changed reference file rewrites the notes of the pages that were not run again
        app.env.note_dependency(str(Path(app.confdir, app.config.legendre_references)))


def setup(app):
    app.add_config_value("legendre_references", "references.toml", "env", types=[str])
    app.add_config_value("legendre_record_references", False, "env", types=[bool])
    # after sphinx-gallery has run the examples (its handler has the default priority, 500)
    app.connect("builder-inited", check_examples, priority=600)
    app.connect("source-read", add_note)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
