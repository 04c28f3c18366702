"""Each page's description, for search results and link previews.

``sphinxext-opengraph`` writes the ``og:`` tags; the description in them and in
``<meta name="description">`` comes from here, because its own keeps the formulas' TeX
and joins them to the next word ("fits\\sin(x)", "on[-\\pi, \\pi]"). A page's
description is its first top-level paragraph, TeX backslashes dropped; a page without
text of its own (search, index, 404) gets the site's, translated like the theme's labels.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.locale import _


def describe(doctree: nodes.document, limit: int = 155) -> str | None:
    """The page's first top-level paragraph as plain text, TeX backslashes dropped."""
    for paragraph in doctree.findall(nodes.paragraph):
        if not isinstance(paragraph.parent, (nodes.section, nodes.document)):
            continue  # notes, table cells and list items do not describe a page
        text = " ".join(paragraph.astext().replace("\\", "").split())
        if len(text) > limit:
            text = text[: text.rfind(" ", 0, limit)].rstrip(",;:") + "…"
        return text
    return None


def add_description(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    own = describe(doctree) if doctree is not None else None
    description = own or str(_(app.config.site_description))  # locales/<language>/sphinx.po
    meta = f'\n<meta name="description" content="{html.escape(description)}">'
    context["metatags"] = context.get("metatags", "") + meta
    if own:  # what sphinxext-opengraph takes for og:description (a page's meta fields)
        context["meta"] = {**(context.get("meta") or {}), "og:description": own}


def setup(app):
    app.add_config_value("site_description", "", "html", types=frozenset({str}))
    # before sphinxext-opengraph (priority 500), which then keeps this description
    app.connect("html-page-context", add_description, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
