"""What the examples printed, compared with their references; drift is a table of figures.

The output comes from the reST sphinx-gallery wrote for each example; a page's figures
are compared for the device and dtype of its "Running on:" line, or, without references
of their own, with the CPU's within ``other_device_factor`` times their tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from reference_file import FILE, RECORD_COMMAND, Figure, Page, References
from sphinx.errors import SphinxError

RUNNING_ON = re.compile(r"^Running on: (\w+)\S*(?: \(torch\.(\w+)\))?$", re.MULTILINE)
# What a page with figures must print, so that its figures are compared per device and dtype
MISSING_RUNNING_ON = (
    "the line `print(f'Running on: {device} ({dtype})')` (or `dtype = ...` in the file's entry)"
)
# A printed line a new page's draft entry turns into a figure: "<label>: <number>"
NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
DRAFTED = re.compile(rf"^([A-Za-z][\w ,.()'/=-]*?): *({NUMBER})$", re.MULTILINE)


class ReferenceDrift(SphinxError):
    category = f"The examples' printed figures do not match {FILE}"


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

    Each figure's tolerance is one unit of the last digit printed (``abs``: 0.01 for 8.82,
    1e-16 for 4.4e-15), or a relative 1e-05 for a number printed in full (``repr``, more
    than six digits); a person reviews the draft, adds ``dtype`` if the page's "Running on:"
    line names none, and moves a timing to ``none = "timings"``.
    """
    figures = []
    for match in DRAFTED.finditer(output or ""):
        label, number = match[1].strip(), match[2]
        digits, _, exponent = number.lower().partition("e")
        decimals = len(digits.partition(".")[2])
        if len(digits.lstrip("-").replace(".", "").lstrip("0")) > 6:
            tolerance = {"relative": 1e-05}
        elif decimals or exponent:
            tolerance = {"absolute": float(f"1e{int(exponent or 0) - decimals}")}
        else:
            tolerance = {"absolute": 0.5}
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
        "compared prints\n" + MISSING_RUNNING_ON + "; `nox -s translations` adds a "
        "new figure's label to docs/locales/ko/LC_MESSAGES/sphinx.po, to translate there."
    )
    return "\n\n".join(parts)


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
    factor = references.other_device_factor
    outcomes = {
        name: compare(name, references.pages[name], output, factor)
        for name, output in outputs.items()
    }
    drifted = [check for outcome in outcomes.values() for check in outcome.checks if not check.ok]
    if drifted:
        raise ReferenceDrift(failure(drifted, []))
    return outcomes
