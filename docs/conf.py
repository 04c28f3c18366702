"""Sphinx configuration for the legendre site.

Only settings that differ from Sphinx's defaults live here, each with its reason.
Build with ``nox -s docs``.
"""

import os
import sys
from importlib.metadata import version as _version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # the site's own extensions

from example_filter import filename_pattern
from example_limit import limit_seconds

# a bad LEGENDRE_EXAMPLE_LIMIT fails here, before any example has run
limit_seconds(os.environ.get("LEGENDRE_EXAMPLE_LIMIT"))

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
    "sphinx.ext.viewcode",  # the API page links each name to its highlighted source
    "sphinx_gallery.gen_gallery",
    # -- site features, checked by `nox -s site`
    "sphinx_copybutton",
    "notfound.extension",  # a 404 page whose links work at any depth
    "legendre_site",  # offline math, valid HTML, compressed figures (docs/_ext)
    "legendre_korean",  # language switch, Korean search and gallery labels (docs/_ext)
    "legendre_publish",  # public address, the wheel inside the site, self-installing downloads
    "legendre_fresh",  # examples run again when legendre, torch or the device change
    "legendre_references",  # printed figures checked against docs/references.toml, noted on pages
    "legendre_stamp",  # each page and notebook says what its output ran on (versions, device, cost)
    "try_it",  # the tutorial's fit, trained in the browser under its output (docs/_ext)
]
exclude_patterns = ["_build"]
# the torch this build ran every example on, which the home page names
rst_epilog = f".. |torch_version| replace:: {_version('torch')}\n"
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
    "torch.optim.SGD": _TORCH + "generated/torch.optim.SGD.html",
    "torch.optim.Adam": _TORCH + "generated/torch.optim.Adam.html",
    "torch.optim.LBFGS": _TORCH + "generated/torch.optim.LBFGS.html",
    "torch.compile": _TORCH + "generated/torch.compile.html",
    "torch.autocast": _TORCH + "amp.html#torch.autocast",
    "torch.nn.Module": _TORCH + "generated/torch.nn.Module.html",
    "torch.nn.Parameter": _TORCH + "generated/torch.nn.parameter.Parameter.html",
    "torch.nn.Linear": _TORCH + "generated/torch.nn.Linear.html",
    "torch.func.grad": _TORCH + "generated/torch.func.grad.html",
    "torch.func.vmap": _TORCH + "generated/torch.func.vmap.html",
    "torch.func.jacrev": _TORCH + "generated/torch.func.jacrev.html",
    "torch.func": _TORCH + "func.html",
    "torch.library.custom_op": _TORCH + "library.html#torch.library.custom_op",
    "torch.library.opcheck": _TORCH + "library.html#torch.library.opcheck",
    "numpy.polynomial.legendre": _NUMPY + "routines.polynomials.legendre.html",
    "numpy.polynomial.Legendre.fit": _NUMPY
    + "generated/numpy.polynomial.legendre.Legendre.fit.html",
}

# -- Sphinx-Gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # every plot_*.py runs, or only those named in LEGENDRE_EXAMPLES (docs/_ext/example_filter.py)
    "filename_pattern": filename_pattern(
        os.environ.get("LEGENDRE_EXAMPLES"), Path(__file__).parent.parent / "examples"
    ),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": True,
    "remove_config_comments": True,  # thumbnail choices are noise in downloads
    # which example uses which name of legendre: the API page shows them (minigallery)
    "doc_module": ("legendre",),
    "backreferences_dir": "gen_modules/backreferences",
    "image_srcset": ["2x"],  # sharp figures on high-DPI screens
    # matplotlib's scraper, which also records each figure's smallest text size
    # in its PNG, for the site's check that figures read on a phone
    "image_scrapers": ("legendre_site.figure_scraper",),
    "show_signature": False,
    # Animations embed as a JavaScript player with their frames inline: no
    # ffmpeg needed to build, and no video extension to install.
    "matplotlib_animations": (True, "jshtml"),
    # its timing pages load jQuery and DataTables from CDNs; each example page
    # still ends with its own running time
    "write_computation_times": False,
    # Examples that time code run alone, not beside the other language's build
    # (docs/_ext/timing_examples.py); an example that runs past LEGENDRE_EXAMPLE_LIMIT
    # seconds (default 600) is stopped and fails the build (docs/_ext/example_limit.py);
    # each run leaves its stamp beside its page (docs/_ext/legendre_stamp.py);
    # matplotlib is reset as by default, then given a font with Hangul for the Korean
    # labels, and a missing glyph fails the example (docs/_ext/legendre_figures.py).
    "reset_modules": (
        "matplotlib",
        "legendre_figures.use_fonts",
        "timing_examples.hold_the_cpu",
        "example_limit.limit",
        "legendre_stamp.record",
    ),
    "reset_modules_order": "both",
}
# The examples' printed figures must match the reviewed references in docs/references.toml
# (docs/_ext/legendre_references.py); LEGENDRE_RECORD_REFERENCES=1 records what ran instead.
legendre_references = "references.toml"  # beside this file, for both languages
legendre_record_references = os.environ.get("LEGENDRE_RECORD_REFERENCES", "") not in ("", "0")

# -- Korean edition ------------------------------------------------------------
# `nox -s docs` builds the Korean site with `-D language=ko` from docs/_build/ko/docs,
# a copy of this folder written by translate.py, which also explains the design.
# Absolute, because the two languages build from different source folders:
locale_dirs = [str(Path(__file__).parent / "locales")]
# Each page links to its twin in the other language: (code, name, root of its site).
# The switch, the Korean search language and the translated gallery labels live in
# docs/_ext/legendre_korean.py.
language_twins = {"en": ("ko", "한국어", "ko/"), "ko": ("en", "English", "../")}

# -- HTML ----------------------------------------------------------------------
html_theme = "furo"
html_title = "legendre"
html_show_sourcelink = False  # the gallery offers the real sources as downloads
html_copy_source = False  # nor publish the generated reST behind every page
html_favicon = "_static/site/favicon.svg"  # browsers ask for one; a 404 costs best practices
html_static_path = ["_static/site"]  # not _static itself: fit.png there is the README's
html_css_files = ["legendre.css"]
# the gallery's tags as real buttons; formulas quoted as TeX in search results
html_js_files = ["legendre-tags.js", "legendre-search.js"]
templates_path = ["_templates"]
html_theme_options = {"top_of_page_buttons": ["view"]}  # "edit" would target generated reST
html_math_renderer = "mathjax_at_build"  # MathJax runs once in the build, not in every browser
site_description = "Write a custom torch.autograd.Function: fit sin(x) with a Legendre polynomial."
# "View source" links appear only when a public repository is set, e.g.
# LEGENDRE_REPOSITORY_URL=https://github.com/<owner>/legendre nox -s docs
legendre_repository_url = os.environ.get("LEGENDRE_REPOSITORY_URL") or None
# -- Publishing (docs/_ext/legendre_publish.py) ------------------------------------
# The site's public address, e.g. LEGENDRE_SITE_URL=https://example.org/legendre/ nox -s docs:
# canonical and hreflang links, sitemap.xml, the 404 page's links, and the address the
# notebooks install the wheel from. Without it the 404 page links from the host's root.
legendre_site_url = os.environ.get("LEGENDRE_SITE_URL") or None
# The sdist and wheel `nox -s docs` builds; the site publishes them in its dist/ folder.
legendre_dist = str(Path(__file__).parent / "_build" / "dist")
# The branch the built site is pushed to (.github/workflows/pages.yml): with a GitHub
# repository, "Open in Colab" opens each example's notebook from there.
legendre_pages_branch = os.environ.get("LEGENDRE_PAGES_BRANCH") or "gh-pages"

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


def setup(app):
    app.connect("missing-reference", _link_external)
