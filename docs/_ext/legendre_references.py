"""Check the figures the examples print against docs/references.toml, and say so on each page.

The rules for a page's entry, and recording one, are in CONTRIBUTING ("Printed figures").
After sphinx-gallery has run the examples, this reads each one's printed output from the
reST it generated and logs one error with a table of the figures that drifted (the build
goes on, then exits with 1); each example page ends with a note, translated through the
theme catalog, saying what was checked or why nothing was. The Korean output is read back
in English through ``printed_labels.json`` (written by tools/translate.py), so the same
patterns find the same numbers. A device without references of its own is compared with
the CPU's, each tolerance times ``other_device_factor``.

This module is the Sphinx side and the note; the file is read and written by
``reference_file.py``, and the output compared by ``printed_figures.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from example_filter import example_pages
from printed_figures import Outcome, ReferenceDrift, check, in_english, printed_output
from reference_file import FILE, REASONS, Figure, Page, dump, load
from sphinx.locale import _
from sphinx.util import logging
from theme_messages import N_

logger = logging.getLogger(__name__)
PRINTED_LABELS = "printed_labels.json"  # beside the Korean sources, by tools/translate.py
# The note's messages, translated from the theme catalog (the figures' labels too).
TITLE = N_("Checked at build time")
TITLE_UNCHECKED = N_("Not checked at build time")
CHECKED = N_("What this run on {ran} printed matches the references in {file}:")
OTHER_DEVICE = N_(
    "This run on {ran} has no references of its own: what it printed matches the references "
    "for {key} in {file}, within {factor} times their tolerance:"
)
NO_REFERENCE = N_("This run on {ran} has no references in {file}: its figures were not checked.")
NOT_RUN = N_("This page did not run in this build: its figures were not checked.")
RELATIVE = N_("relative tolerance {0}")
ABSOLUTE = N_("absolute tolerance {0}")


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


def gallery_outputs(
    examples: Path, gallery: Path, labels: list[tuple[str, str]]
) -> dict[str, str | None]:
    """What each example printed, from the reST sphinx-gallery left in ``gallery``, with
    translated labels printed in English again (see :func:`in_english`); None if it did not run.
    """
    outputs = {}
    for name in example_pages(examples):
        rst = gallery / (name + ".rst")
        output = printed_output(rst.read_text(encoding="utf-8")) if rst.is_file() else None
        outputs[name] = None if output is None else in_english(output, labels)
    return outputs


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
    outputs = gallery_outputs(examples, gallery, labels)
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
