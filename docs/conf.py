"""Sphinx configuration for the legendre site.

Only settings that differ from Sphinx's defaults live here, each with its reason.
Build with ``nox -s docs``.
"""

import os
import sys
from importlib.metadata import version as _version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # the site's own extension

# -- Project -----------------------------------------------------------------
project = "legendre"
author = "The legendre developers"
copyright = "2026, The legendre developers"
release = _version("legendre")
version = release

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # NumPy-style docstrings
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
    # -- site features, checked by `nox -s site`
    "sphinx_copybutton",
    "notfound.extension",  # a 404 page whose links work at any depth
    "legendre_site",  # offline math, valid HTML, compressed figures (docs/_ext)
]
exclude_patterns = ["_build"]
nitpicky = True  # an API name that does not resolve is a broken link
# NumPy-style types such as "int, optional" or '{"sgd", "adam"}' are prose, not names
nitpick_ignore_regex = [("py:class", r"optional|sequence|\{.*|.*\}|\".*\"")]

# -- Autodoc -----------------------------------------------------------------
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_use_rtype = False

# -- Links to PyTorch and NumPy --------------------------------------------------
# Builds run offline, so intersphinx cannot fetch inventories. The few outside
# names these pages mention are resolved from this table instead (see setup()).
_TORCH = "https://docs.pytorch.org/docs/stable/"
_NUMPY = "https://numpy.org/doc/stable/reference/"
external_targets = {
    "torch.Tensor": _TORCH + "tensors.html#torch.Tensor",
    "torch.device": _TORCH + "tensor_attributes.html#torch.device",
    "torch.dtype": _TORCH + "tensor_attributes.html#torch.dtype",
    "torch.autograd.Function": _TORCH + "autograd.html#torch.autograd.Function",
    "torch.autograd.gradcheck": _TORCH + "generated/torch.autograd.gradcheck.gradcheck.html",
    "torch.autograd.gradgradcheck": _TORCH
    + "generated/torch.autograd.gradcheck.gradgradcheck.html",
    "torch.optim.Adam": _TORCH + "generated/torch.optim.Adam.html",
    "torch.optim.LBFGS": _TORCH + "generated/torch.optim.LBFGS.html",
    "torch.compile": _TORCH + "generated/torch.compile.html",
    "torch.func.grad": _TORCH + "generated/torch.func.grad.html",
    "torch.func.vmap": _TORCH + "generated/torch.func.vmap.html",
    "torch.func.jacrev": _TORCH + "generated/torch.func.jacrev.html",
    "numpy.polynomial.legendre": _NUMPY + "routines.polynomials.legendre.html",
    "numpy.polynomial.Legendre.fit": _NUMPY
    + "generated/numpy.polynomial.legendre.Legendre.fit.html",
}

# -- Sphinx-Gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # every plot_*.py is executed
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": True,
    "remove_config_comments": True,  # thumbnail choices are noise in downloads
    "image_srcset": ["2x"],  # sharp figures on high-DPI screens
    "show_signature": False,
    # Animations embed as a JavaScript player with their frames inline: no
    # ffmpeg needed to build, and no video extension to install.
    "matplotlib_animations": (True, "jshtml"),
    # its timing pages load jQuery and DataTables from CDNs; each example page
    # still ends with its own running time
    "write_computation_times": False,
}

# -- Korean edition ------------------------------------------------------------
# `nox -s docs` builds the Korean site with `-D language=ko` from docs/_build/ko/docs,
# a copy of this folder written by translate.py, which also explains the design.
# Absolute, because the two languages build from different source folders:
locale_dirs = [str(Path(__file__).parent / "locales")]
# Each page links to its twin in the other language: (code, name, root of its site).
language_twins = {"en": ("ko", "한국어", "ko/"), "ko": ("en", "English", "../")}
# sphinx-gallery writes these English labels into its pages; they are translated like
# furo's own labels, from the theme catalog locales/<language>/LC_MESSAGES/sphinx.po.
gallery_labels = [
    "Go to the end", "to download the full example code.", "Total running time of the script:",
    "Download Jupyter notebook:", "Download Python source code:", "Download zipped:",
    "Download all examples in Python source code:", "Download all examples in Jupyter notebooks:",
    "Computation times", "from all galleries", "Example", "Time", "Mem (MB)",
]  # fmt: skip
# ... and these with numbers in them: pattern -> message, its groups numbered from 0.
gallery_patterns = {
    r"\((\d+) minutes ([\d.]+) seconds\)": "({0} minutes {1} seconds)",
    r"total execution time for (\d+) files?": "total execution time for {0} file(s)",
    r"^🏷 Tags:": "🏷 Tags:",
}

# Sphinx has no Korean search language, and its default one indexes words with their
# particles (조사): "손실을" and "손실은", never "손실". _search_korean (below) drops
# particles after a word of two or more syllables, in the index and in the query alike.
korean_particles = (
    "에서는 에서 으로 에게 부터 까지 마다 처럼 보다 은 는 이 가 을 를 의 에 로 와 과 도"
)

# -- HTML ----------------------------------------------------------------------
html_theme = "furo"
html_title = "legendre"
html_show_sourcelink = False  # the gallery offers the real sources as downloads
html_copy_source = False  # nor publish the generated reST behind every page
html_favicon = "_static/site/favicon.svg"  # browsers ask for one; a 404 costs best practices
html_static_path = ["_static/site"]  # not _static itself: fit.png there is the README's
html_css_files = ["legendre.css"]
templates_path = ["_templates"]
html_theme_options = {"top_of_page_buttons": ["view"]}  # "edit" would target generated reST
html_math_renderer = "mathjax_at_build"  # MathJax runs once in the build, not in every browser
site_description = "Write a custom torch.autograd.Function: fit sin(x) with a Legendre polynomial."
# "View source" links appear only when a public repository is set, e.g.
# LEGENDRE_REPOSITORY_URL=https://github.com/<owner>/legendre nox -s docs
legendre_repository_url = os.environ.get("LEGENDRE_REPOSITORY_URL") or None
notfound_urls_prefix = "/"  # the site is served at the host's root; change for a subfolder
# furo's default sidebar, with the language switch under the search box
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/language-switch.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/ethical-ads.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}


# -- Setup -----------------------------------------------------------------------
def _link_external(app, env, node, contnode):
    """Resolve a reference to PyTorch or NumPy from ``external_targets``."""
    from docutils import nodes

    uri = external_targets.get(node.get("reftarget"))
    if uri is None:
        return None
    return nodes.reference("", "", contnode, internal=False, refuri=uri)


def _language_twin(app, pagename, templatename, context, doctree):
    """Tell the language switch where this page's twin in the other language is."""
    if app.config.language not in app.config.language_twins:
        return
    code, name, root = app.config.language_twins[app.config.language]
    up = "../" * app.builder.get_target_uri(pagename).count("/")
    url = up + root + app.builder.get_target_uri(pagename)
    context["language_twin"] = {"code": code, "name": name, "url": url}
    link = f'<link rel="alternate" hreflang="{code}" href="{url}" />'
    context["metatags"] = context.get("metatags", "") + link


def _translate_gallery_labels(app, doctree):
    """Replace sphinx-gallery's English labels by the theme catalog's translations."""
    import re

    from docutils import nodes
    from sphinx.locale import _

    if app.config.language == "en" or not app.env.docname.startswith(("auto_", "sg_")):
        return
    for text in list(doctree.findall(nodes.Text)):
        new = str(text)
        for label in app.config.gallery_labels:  # the whole text, or a "Download ...:" prefix
            if new.strip() == label or (label.endswith(":") and new.startswith(label + " ")):
                new = new.replace(label, _(label), 1)
        for pattern, message in app.config.gallery_patterns.items():
            new = re.sub(pattern, lambda match, m=message: _(m).format(*match.groups()), new)
        if new != str(text):
            text.parent.replace(text, nodes.Text(new))


def _search_korean():
    """A Sphinx search language for Korean: trailing particles are dropped, no stemming."""
    import re

    from sphinx.search import SearchLanguage

    # Repeated to a fixed point, so "변화도를", "변화도" and "변화" share one entry.
    particle = rf"^([가-힣]{{2,}}?)(?:{'|'.join(korean_particles.split())})$"
    js_stem = (
        f"(w) => {{ let s; while ((s = w.replace(/{particle}/u, '$1')) !== w) w = s; return w; }}"
    )

    class SearchKorean(SearchLanguage):
        lang, language_name = "ko", "Korean"
        js_stemmer_code = f"var Stemmer = function () {{ this.stemWord = {js_stem}; }};"

        def stem(self, word: str) -> str:
            while (stripped := re.sub(particle, r"\1", word)) != word:
                word = stripped
            return word

    return SearchKorean


def _translate_404(app, config):
    """notfound's 404 page text is English and not in a catalog: take it from sphinx.po."""
    from sphinx.locale import _

    if config.language != "en":
        title = _("Page not found")
        text = _("Unfortunately we couldn't find the content you were looking for.")
        config.notfound_context = {"title": title, "body": f"<h1>{title}</h1>\n\n{text}"}


def setup(app):
    # registered, so that editing them rebuilds the pages they change
    app.add_config_value("language_twins", {}, "html", types=[dict])
    app.add_config_value("gallery_labels", [], "env", types=[list])
    app.add_config_value("gallery_patterns", {}, "env", types=[dict])
    app.add_search_language(_search_korean())
    app.connect("config-inited", _translate_404)
    app.connect("missing-reference", _link_external)
    app.connect("html-page-context", _language_twin)
    app.connect("doctree-read", _translate_gallery_labels)
