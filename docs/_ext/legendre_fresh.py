"""Run the examples again when what they run on changes, not only when their text does.

sphinx-gallery skips an example whose file is unchanged since its last successful
run: it keeps the file's checksum next to the copy in the gallery folder
(``auto_examples/core/plot_01_custom_function.py.md5``). But the outputs also depend on
the ``legendre`` package, on torch and Python, and on the device. This extension
keeps a fingerprint of those in the gallery folder and, when it differs, deletes
those checksums before the gallery is generated, so every example runs again. An
unchanged rebuild still runs nothing.
"""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import gallery_paths
from sphinx.util import logging

RECORD = ".legendre-fingerprint"
logger = logging.getLogger(__name__)


def fingerprint(package: Path, context: str) -> str:
    """A digest of every source file of ``package`` and of ``context`` (versions, device)."""
    digest = hashlib.sha256(context.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def current_fingerprint() -> str:
    import torch

    import legendre

    device = legendre.default_device()
    context = f"torch {torch.__version__}, Python {platform.python_version()}, {device}"
    return fingerprint(Path(legendre.__file__).parent, context)


def forget_stale_runs(gallery: Path, current: str) -> int:
    """Delete sphinx-gallery's record of every run when ``current`` is new; return how many."""
    record = gallery / RECORD
    if record.is_file() and record.read_text() == current:
        return 0
    stale = sorted(gallery.rglob("*.py.md5"))  # in each section's folder too
    for path in stale:
        path.unlink()
    gallery.mkdir(parents=True, exist_ok=True)
    record.write_text(current)
    return len(stale)


def refresh(app) -> None:
    if app.builder.format != "html":  # gettext and the like run no example
        return
    current = current_fingerprint()
    conf = {**app.config.sphinx_gallery_conf, "src_dir": app.srcdir}  # before sphinx-gallery's
    for folder in gallery_paths.folders(conf, "gallery_dirs"):
        forgotten = forget_stale_runs(folder, current)
        if forgotten:
            logger.info(
                f"legendre, torch, Python or the device changed: {forgotten} examples run again"
            )


def setup(app):
    # before sphinx-gallery generates the gallery (its handler has the default priority, 500)
    app.connect("builder-inited", refresh, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
