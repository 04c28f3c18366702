"""Dated workarounds: HTML that sphinx-gallery 0.22, viewcode (Sphinx 9) and furo write, made valid.

``nox -s site`` checks each page with vnu, axe and Lighthouse; each repair here makes
one of those checks pass, and can go when the upstream markup changes:

* a ``<pre>`` that scrolls sideways takes keyboard focus, so it can be scrolled (WCAG 2.1.1);
* viewcode's ``<div>`` inside ``<pre>`` becomes a ``<span>`` (HTML forbids the div);
* sphinx-gallery's ``tooltip`` attribute on thumbnails (not HTML, and it shows raw TeX) goes;
* sphinx-gallery's tag list, written once per gallery section with the same id, is kept once;
* sphinx-gallery's optional stylesheets load only on a page that uses their class.
"""

from __future__ import annotations

import re
from pathlib import Path

TAG_LIST = "<div id='sg-tag-list' class='sphx-glr-tag-list'></div>"
# sphinx-gallery styles for content our examples may not show: each is a
# render-blocking request, so a page loads one only when it uses its class.
OPTIONAL_CSS = {
    "sg_gallery-binder.css": "binder-badge",
    "sg_gallery-dataframe.css": "dataframe",
    "sg_gallery-rendered-html.css": "rendered_html",
}


def drop_thumbnail_tooltips(body: str) -> str:
    return re.sub(r'\stooltip="[^"]*"', "", body)


def one_tag_list(body: str) -> str:
    """Keep the first tag list (sphinx-gallery's script fills the first one only)."""
    first = body.find(TAG_LIST)
    if first < 0:
        return body
    end = first + len(TAG_LIST)
    return body[:end] + body[end:].replace(TAG_LIST, "")


def inline_viewcode_blocks(body: str) -> str:
    if 'class="viewcode-block"' not in body:
        return body

    def spans(pre: re.Match) -> str:
        block = pre[0].replace('<div class="viewcode-block"', '<span class="viewcode-block"')
        return block.replace("</div>", "</span>")

    return re.sub(r"<pre\b.*?</pre>", spans, body, flags=re.DOTALL)


def repair(body: str) -> str:
    """Every repair of a page's body, in one pass over it."""
    body = body.replace("<pre>", '<pre tabindex="0">')
    return one_tag_list(drop_thumbnail_tooltips(inline_viewcode_blocks(body)))


def repair_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context:
        context["body"] = repair(context["body"])
        if "css_files" in context:
            context["css_files"] = [
                css
                for css in context["css_files"]
                if OPTIONAL_CSS.get(Path(css.filename).name, "") in context["body"]
            ]


def setup(app):
    app.connect("html-page-context", repair_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
