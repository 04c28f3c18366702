"""Let the examples that time code have the CPU to themselves.

``nox -s docs`` builds the English and the Korean site at once, and each build
runs every example. An example that times code would then also measure the
other build. Each example holds a lock on one file while it runs: a shared one
for most, so the two builds still overlap, and an exclusive one for the
examples that time code, which therefore wait for the other build's current
example to end, and keep it from starting another until they are done. An
example times code when it says so: its ``sphinx_gallery_tags`` include
``"performance"``, so a new timing example needs no list kept here. The Korean copies
translate their tags (``tools/translate.py``): the English example decides for both.

sphinx-gallery calls :func:`hold_the_cpu` before and after each example (its
``reset_modules`` hook; see ``conf.py``). The operating system releases the
lock if a build dies, so a crash cannot leave the other build waiting. Each
test takes the same lock too (``tests/conftest.py``): shared, or exclusive for
a check that times a page.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import gallery_paths

try:
    import fcntl
except ImportError:  # Windows: no flock, and builds share the CPU as before
    fcntl = None

#: The tag of the examples whose printed numbers are timings.
TIMING_TAG = "performance"
TAGS = re.compile(r"^# sphinx_gallery_tags = (\[.*\])$", re.MULTILINE)
# Both languages use this conf.py (the Korean build passes -c docs), so both see this path.
LOCK = Path(__file__).resolve().parent.parent / "_build" / "examples.lock"
# The Korean build's examples: copies of the repository's, laid out alike (tools/translate.py).
ROOT = Path(__file__).resolve().parents[2]
KOREAN = ROOT / "docs" / "_build" / "ko"

_held = None  # the open lock file while an example runs


@functools.cache
def times_code(example: Path) -> bool:
    """Whether the example's tags include :data:`TIMING_TAG`."""
    found = TAGS.search(example.read_text(encoding="utf-8"))
    return found is not None and TIMING_TAG in ast.literal_eval(found[1])


def english(example: Path) -> Path:
    """The English example a Korean copy was written from (itself, if English)."""
    example = example.resolve()
    return ROOT / example.relative_to(KOREAN) if example.is_relative_to(KOREAN) else example


def example_path(gallery_conf: dict, fname: str) -> Path:
    """The example sphinx-gallery names by its file name alone, in its examples folder.

    The name is unique: examples are numbered across the gallery's sections.
    """
    found = gallery_paths.find(gallery_conf, "examples_dirs", fname)
    if found is None:
        folders = gallery_conf["examples_dirs"]
        raise FileNotFoundError(f"no example {fname} in {folders} (from {gallery_conf['src_dir']})")
    return found


def hold_the_cpu(gallery_conf: dict, fname: str | None, when: str) -> None:
    """Take the lock before an example runs (``when="before"``) and release it after."""
    global _held
    if fcntl is None or fname is None:  # None: sphinx-gallery is entering a folder
        return
    if _held is not None:  # "after", or a "before" whose example never reached "after"
        _held.close()  # closing the file releases its lock
        _held = None
    if when == "before":
        LOCK.parent.mkdir(parents=True, exist_ok=True)
        _held = LOCK.open("a")
        exclusive = times_code(english(example_path(gallery_conf, fname)))
        fcntl.flock(_held, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
