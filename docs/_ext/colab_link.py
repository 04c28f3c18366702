"""An "Open in Colab" button beside each example's notebook download.

Colab opens notebooks from GitHub only: with a GitHub repository
(``LEGENDRE_REPOSITORY_URL``) each example page links to its notebook as published on
the branch the built site is pushed to (``LEGENDRE_PAGES_BRANCH``, ``gh-pages`` by
default; ``.github/workflows/pages.yml``), so Colab runs the notebook this build wrote,
setup cell included (``wheel_downloads.py``). sphinx-gallery has no Colab button: its
``binder`` and ``jupyterlite`` options need those services.
"""

from __future__ import annotations

import html
import posixpath
import re

from site_address import language_root
from sphinx.locale import _


def colab_url(repository: str | None, branch: str, path: str) -> str | None:
    """Colab's address of a notebook at ``path`` on ``branch`` of a GitHub repository."""
    found = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repository or "")
    if not found:
        return None  # Colab opens notebooks from GitHub only
    return f"https://colab.research.google.com/github/{found[1]}/{found[2]}/blob/{branch}/{path}"


NOTEBOOK_DOWNLOAD = re.compile(
    r'(<div class="sphx-glr-download sphx-glr-download-jupyter[^"]*">\s*<p><a class="reference '
    r'download internal" download="" href="([^"]+\.ipynb)">.*?</div>)',
    re.DOTALL,
)


def add_colab_link(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Next to an example's notebook download, open the published notebook in Colab."""
    body = context.get("body", "")
    found = NOTEBOOK_DOWNLOAD.search(body)
    if not found:
        return
    page = app.builder.get_target_uri(pagename)
    in_site = posixpath.normpath(posixpath.join(posixpath.dirname(page), found[2]))
    url = colab_url(
        app.config.legendre_repository_url,
        app.config.legendre_pages_branch,
        language_root(app.config) + in_site,
    )
    if url is None:
        return
    words = (_("Open in Colab:") + " " + posixpath.basename(in_site)).split()
    label = " ".join(f'<span class="pre">{html.escape(word)}</span>' for word in words)
    link = (  # dressed like sphinx-gallery's download buttons beside it
        '\n<div class="sphx-glr-download sphx-glr-download-colab docutils container">\n'
        f'<p><a class="reference external" href="{html.escape(url)}">'
        f'<code class="xref download docutils literal notranslate">{label}</code></a></p>\n</div>'
    )
    context["body"] = body[: found.end()] + link + body[found.end() :]


def setup(app):
    app.add_config_value("legendre_pages_branch", "gh-pages", "html", types=frozenset({str}))
    app.connect("html-page-context", add_colab_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
