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
    "sphinxext.opengraph",  # og: tags for link previews
    # -- the site's own (docs/_ext), one job each
    "math_at_build",  # formulas typeset once by MathJax in the build, fonts served here
    "html_repairs",  # valid, keyboard-reachable HTML where the libraries' is not
    "page_description",  # each page's description, its first paragraph
    "animation_player",  # matplotlib's player without CDN icons, with alt text, same ids
    "view_source",  # "view source" opens the real source in the repository
    "png_compression",  # figures as 256-colour PNGs
    "legendre_korean",  # language switch and gallery labels
    "korean_search",  # a search language for Korean: particles dropped
    "section_ids",  # readable anchors for Korean (and repeated) section titles
    "site_address",  # base URL, 404 prefix and og:url from LEGENDRE_SITE_URL
    "wheel_downloads",  # the wheel inside the site, self-installing downloads
    "colab_link",  # "Open in Colab" beside each notebook download
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
# Builds run offline, so intersphinx reads the names these pages mention from small
# inventories kept here (Sphinx's plain-text format, version 1: "name type page"),
# not from the projects' sites. A new outside name goes into one of them.
_INVENTORIES = Path(__file__).parent / "_inv"  # absolute: the Korean build reads a copy of docs/
intersphinx_mapping = {
    "torch": ("https://docs.pytorch.org/docs/stable/", str(_INVENTORIES / "torch.txt")),
    "numpy": ("https://numpy.org/doc/stable/reference/", str(_INVENTORIES / "numpy.txt")),
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
    "image_scrapers": ("figure_scraper.figure_scraper",),
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
# The switch and the translated gallery labels live in docs/_ext/legendre_korean.py, the
# Korean search language in docs/_ext/korean_search.py.
language_twins = {"en": ("ko", "한국어", "ko/"), "ko": ("en", "English", "../")}

# -- HTML ----------------------------------------------------------------------
html_theme = "furo"
html_title = "legendre"
html_show_sourcelink = False  # the gallery offers the real sources as downloads
html_copy_source = False  # nor publish the generated reST behind every page
html_favicon = "_static/site/favicon.svg"  # browsers ask for one; a 404 costs best practices
html_static_path = ["_static/site"]  # not _static itself: fit.png there is the README's
html_css_files = ["legendre.css"]
# the gallery's tags as real buttons; formulas quoted as TeX in search results;
# furo's drawer icons (menu, contents) open from the keyboard below 1008 px; the theme
# toggle's name says which mode is on
html_js_files = [
    "legendre-tags.js", "legendre-search.js", "legendre-drawers.js", "legendre-theme.js",
]  # fmt: skip
templates_path = ["_templates"]
html_theme_options = {"top_of_page_buttons": ["view"]}  # "edit" would target generated reST
html_math_renderer = "mathjax_at_build"  # MathJax runs once in the build, not in every browser
# pages without text of their own (search, index) get this one (docs/_ext/page_description.py)
site_description = "Write a custom torch.autograd.Function: fit sin(x) with a Legendre polynomial."
ogp_social_cards = {"enable": False}  # a card per page drawn by matplotlib: slow, and unread
# "View source" links appear only when a public repository is set, e.g.
# LEGENDRE_REPOSITORY_URL=https://github.com/<owner>/legendre nox -s docs
legendre_repository_url = os.environ.get("LEGENDRE_REPOSITORY_URL") or None
# -- Publishing (docs/_ext/site_address.py, wheel_downloads.py, colab_link.py) ----
# The site's public address, e.g. LEGENDRE_SITE_URL=https://example.org/legendre/ nox -s docs:
# canonical and hreflang links, sitemap.xml, the 404 page's links, and the address the
# notebooks install the wheel from. Without it the 404 page links from the host's root.
legendre_site_url = os.environ.get("LEGENDRE_SITE_URL") or None
if legendre_site_url:  # a sitemap needs absolute addresses (site_address.py sets it up)
    extensions.append("sphinx_sitemap")
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
