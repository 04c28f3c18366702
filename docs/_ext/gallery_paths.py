"""Where sphinx-gallery keeps things, for the extensions that work beside it.

``gallery_dirs`` and ``examples_dirs`` may each be one folder or a list of them; an
example is named by its file name alone, unique across the gallery's sections; and an
example page ends with sphinx-gallery's running time, before which notes go.
"""

from __future__ import annotations

from pathlib import Path

TIMING = ".. rst-class:: sphx-glr-timing"  # the last block of an example page's reST


def names(gallery_conf: dict, key: str) -> list[str]:
    """The folders ``gallery_conf[key]`` names (``"gallery_dirs"``, ``"examples_dirs"``)."""
    value = gallery_conf[key]
    return [value] if isinstance(value, str) else list(value)


def folders(gallery_conf: dict, key: str) -> list[Path]:
    """Those folders, as paths (they are relative to the docs folder, ``src_dir``)."""
    return [Path(gallery_conf["src_dir"], name) for name in names(gallery_conf, key)]


def find(gallery_conf: dict, key: str, name: str) -> Path | None:
    """The file called ``name`` in the folders ``key`` names, in any section; else None."""
    for folder in folders(gallery_conf, key):
        for path in sorted(folder.rglob(name)):
            return path
    return None


def before_timing(source: str, text: str) -> str:
    """An example page's reST with ``text`` before its running time (else at its end)."""
    if TIMING in source:
        return source.replace(TIMING, text + "\n\n" + TIMING, 1)
    return source.rstrip("\n") + "\n\n" + text + "\n"
