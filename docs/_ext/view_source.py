"""furo's "view source" button, pointing at the file in the repository a page is built from.

furo links to a repository only through ``source_repository`` and the page's source
name, which for a gallery page is generated reST that the repository does not hold.
This links each page to its real source instead (an example's ``.py``, a gallery's
header, a hand-written page), and only when ``LEGENDRE_REPOSITORY_URL`` is set.
"""

from __future__ import annotations

import re
from pathlib import Path

from gallery_paths import names


def source_path(pagename: str, srcdir: Path, galleries: dict[str, str]) -> str | None:
    """The repository path of the file a page is built from; None for generated pages.

    ``galleries`` maps each gallery folder (``auto_examples``) to its examples folder
    (``../examples``), both relative to ``srcdir``, the docs folder at the top of the
    repository.
    """
    root = srcdir.parent
    for built, written in galleries.items():
        if pagename.startswith(built + "/"):
            page = Path(srcdir, written, pagename.removeprefix(built + "/"))
            if page.name == "index":  # a gallery's header
                candidates = [page.with_name(n) for n in ("GALLERY_HEADER.rst", "README.rst")]
            else:
                candidates = [page.with_suffix(".py")]
            break
    else:
        candidates = [srcdir / f"{pagename}.rst"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve().relative_to(root.resolve()).as_posix()
    return None


def source_url(repository: str | None, pagename: str, srcdir: Path, config) -> str | None:
    """The link to a page's source in the repository, or None when there is none to give."""
    if not repository:
        return None
    if not re.fullmatch(r"https://[^\s\"'<>]+", repository):
        raise ValueError(f"legendre_repository_url must be an https:// URL, got {repository!r}")
    conf = config.sphinx_gallery_conf
    built, written = names(conf, "gallery_dirs"), names(conf, "examples_dirs")
    path = source_path(pagename, srcdir, dict(zip(built, written, strict=True)))
    if path is None:
        return None
    return f"{repository.rstrip('/')}/blob/{config.legendre_repository_branch}/{path}"


def link_source(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    context["source_url"] = source_url(
        app.config.legendre_repository_url, pagename, Path(app.srcdir), app.config
    )


def setup(app):
    app.add_config_value("legendre_repository_url", None, "env", types=frozenset({str, type(None)}))
    app.add_config_value("legendre_repository_branch", "main", "html", types=frozenset({str}))
    app.connect("html-page-context", link_source)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
