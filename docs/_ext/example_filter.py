"""Which examples a build runs: all of them, or the few named in ``LEGENDRE_EXAMPLES``.

``LEGENDRE_EXAMPLES="03 plot_10_optimizers" nox -R -s docs`` runs only those two
(a number, a file's stem or its name all work, in any folder of ``examples/``); the
others keep the output of their last run when their file has not changed, and none
when it has.
"""

from __future__ import annotations

import re
from pathlib import Path


def example_pages(examples: Path) -> list[str]:
    """Each example by its page in the gallery, as ``core/plot_01_custom_function``."""
    return sorted(
        path.relative_to(examples).with_suffix("").as_posix()
        for path in examples.rglob("plot_*.py")
    )


def filename_pattern(selection: str | None, examples: Path) -> str:
    """sphinx-gallery's ``filename_pattern`` for the examples named in ``selection``."""
    if not selection or not selection.strip():
        return r"/plot_"
    stems = sorted(path.stem for path in examples.rglob("plot_*.py"))
    chosen = []
    for name in re.split(r"[\s,]+", selection.strip()):
        prefix = name.removesuffix(".py").removeprefix("plot_")
        found = [stem for stem in stems if stem.removeprefix("plot_").startswith(prefix)]
        if len(found) != 1:
            raise ValueError(
                f"LEGENDRE_EXAMPLES: {name!r} names {len(found) or 'no'} examples "
                f"({', '.join(found) or 'choose among ' + ', '.join(stems)})"
            )
        chosen += found
    return "/(" + "|".join(re.escape(stem) for stem in chosen) + r")\.py$"
