"""Run every example as a reader runs its downloaded notebook, and say how each one went.

``nox -s compat -- 2.14.1`` calls this in an environment with that torch and the package
installed from its wheel. Each example becomes the notebook sphinx-gallery publishes, and
runs in a fresh kernel from an empty folder. The verdict for each:

- ``ok``: every cell ran;
- ``needs torch X``: the example refused this torch, as it should, naming the one it needs;
- ``claim changed``: an ``assert`` failed, so something the page says no longer holds;
- ``fails``: any other error (the last line of the error is shown).

Usage: ``python tests/compat.py REPORT.md [EXAMPLE ...]`` (examples by number, e.g. 03 07).
The exit status is 1 when an example fails or a claim changed, else 0.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat
import torch
from nbclient.exceptions import CellExecutionError
from sphinx_gallery.notebook import python_to_jupyter_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/plot_*.py"), key=lambda path: path.name)
# What an example's version guard raises: SystemExit("... needs torch 2.4 or newer ...")
REFUSAL = re.compile(r"needs torch (\d+\.\d+(?:\.\d+)?) or newer")
CELL_TIMEOUT = 900  # seconds; the slowest cell (torch.compile's first call) takes about 60


def notebook_for(script: Path, folder: Path) -> Path:
    """The notebook sphinx-gallery makes of this script, written into ``folder``."""
    copy = folder / script.name
    shutil.copy(script, copy)
    python_to_jupyter_cli([str(copy)])
    copy.unlink()  # the reader's folder holds the notebook only
    return copy.with_suffix(".ipynb")


def run(script: Path) -> tuple[str, str, float]:
    """Execute the example's notebook from an empty folder: (verdict, detail, seconds)."""
    with tempfile.TemporaryDirectory(prefix=f"compat-{script.stem}-") as tmp:
        folder = Path(tmp)
        notebook = nbformat.read(notebook_for(script, folder), as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as error:
            seconds = time.perf_counter() - start
            lines = [line for line in str(error.evalue).splitlines() if line.strip()]
            detail = f"{error.ename}: {lines[-1] if lines else ''}".strip()
            if len(detail) > 240:  # some errors list every type they accept
                detail = detail[:240] + " …"
            needed = REFUSAL.search(str(error.evalue))
            if error.ename == "SystemExit" and needed:
                return f"needs torch {needed[1]}", detail, seconds
            if error.ename == "AssertionError":
                # the assert's own line, from the traceback, says which claim
                failing = [
                    line.strip()
                    for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines()
                    if line.strip().startswith("assert") or "----> " in line
                ]
                return "claim changed", " / ".join(failing[-2:]) or detail, seconds
            return "fails", detail, seconds
        return "ok", "", time.perf_counter() - start


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    report, chosen = Path(argv[0]), argv[1:]
    examples = [path for path in EXAMPLES if not chosen or path.stem.split("_")[1] in chosen]
    heading = f"torch {torch.__version__}, Python {sys.version.split()[0]}"
    rows = ["| example | verdict | seconds | detail |", "| --- | --- | ---: | --- |"]
    bad = 0
    for script in examples:
        verdict, detail, seconds = run(script)
        bad += verdict in {"fails", "claim changed"}
        print(f"{script.stem}: {verdict} ({seconds:.0f} s) {detail}", flush=True)
        detail = detail.replace("|", "\\|")
        rows.append(f"| {script.stem} | {verdict} | {seconds:.0f} | {detail} |")
    table = "\n".join([f"### Examples on {heading}", "", *rows, ""])
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(table)
    print(f"\n{table}\nWritten to {report}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")  # the run's page on GitHub
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(table + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
