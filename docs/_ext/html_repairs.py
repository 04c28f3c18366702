"""Dated workarounds: HTML that sphinx-gallery 0.22, viewcode (Sphinx 9) and furo write, made valid.

``nox -s site`` checks each page with vnu, axe and Lighthouse; each repair here makes
one of those checks pass, and can go when the upstream markup changes:

* a ``<pre>`` that scrolls sideways takes keyboard focus, so it can be scrolled (WCAG 2.1.1);
* viewcode's ``<div>`` inside ``<pre>`` becomes a ``<span>`` (HTML forbids the div);
* sphinx-gallery's ``tooltip`` attribute on thumbnails (not HTML, and it shows raw TeX) goes;
* sphinx-gallery's tag list, written once per gallery section with the same id, is kept once;
* its figures and thumbnails get their size, so that the page is not laid out again, and
  does not shift, as each arrives (Lighthouse's "unsized images" and CLS);
* sphinx-gallery's optional stylesheets load only on a page that uses their class;
* every script file is deferred (run in order once the page is parsed), so that the page is
  laid out in a task of its own, before first paint, not in the one that runs a script after
  it: on a phone that task blocked input for 250 ms (Lighthouse's TBT).
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

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


def sized_images(body: str, folder: Path, sources: dict[str, Path]) -> str:
    """Give each of sphinx-gallery's images its size in pixels, read from its file.

    ``folder`` holds the page, ``sources`` the images not yet copied beside it, by name. Of a
    figure with a sharper copy (``srcset``), the size of the plain one, which is its size on
    the page; furo's ``height: auto`` keeps the proportions where it is narrowed.
    """

    def sized(img: re.Match) -> str:
        path = sources.get(Path(img["src"]).name, folder / img["src"])
        if "width=" in img[0] or not path.is_file():
            return img[0]
        with Image.open(path) as image:
            width, height = image.size
        return f'<img width="{width}" height="{height}" {img["rest"]}'

    return re.sub(r'<img (?P<rest>[^>]*\bsrc="(?P<src>[^"]*/sphx_glr_[^"]*)")', sized, body)


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


def deferred(script):
    """A script file as Sphinx lists it (``_JavaScript``), set to run once the page is parsed."""
    if not script.filename or script.attributes.keys() & {"async", "defer", "type"}:
        return script  # inline, or not blocking the parser already
    return type(script)(script.filename, priority=script.priority, **script.attributes, defer="")


def repair(body: str, folder: Path, sources: dict[str, Path]) -> str:
    """Every repair of a page's body, in one pass over it (see :func:`sized_images`)."""
    body = body.replace("<pre>", '<pre tabindex="0">')
    body = sized_images(body, folder, sources)
    return one_tag_list(drop_thumbnail_tooltips(inline_viewcode_blocks(body)))


def repair_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" not in context:
        return
    # An image is copied into the output after the pages are written, unless sphinx-gallery
    # copied it itself (those with a srcset): read the others from the sources.
    sources = {
        Path(name).name: Path(app.srcdir, source) for source, name in app.builder.images.items()
    }
    folder = (Path(app.outdir) / app.builder.get_target_uri(pagename)).parent
    context["body"] = repair(context["body"], folder, sources)
    # (furo's search page loads the search's scripts after these, undeferred: it keeps its
    # order.) In place: the list is the builder's, to which add_js_file appends for this page.
    if pagename != "search":
        context["script_files"][:] = [deferred(script) for script in context["script_files"]]
    if "css_files" in context:
        context["css_files"] = [
            css
            for css in context["css_files"]
            if OPTIONAL_CSS.get(Path(css.filename).name, "") in context["body"]
        ]


def setup(app):
    app.connect("html-page-context", repair_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
