"""The Korean edition's page furniture: a language switch, translated gallery labels.

The pages themselves are translated by Sphinx's gettext catalogs in docs/locales and
the examples by tools/translate.py; this extension covers what neither reaches: the
theme's, Sphinx's and sphinx-copybutton's English that no catalog holds (furo's labels
with docs/_templates/page.html, the search status, the copy button, the animation
player, the API's type words, genindex's "module"), particles written against the
markup before them (the search is korean_search.py's). It also keeps napoleon's
indentation out of the messages translators see. Its English, with the Korean, is in
locales/ko/LC_MESSAGES/sphinx.po; tests/test_korean_pages.py checks the built pages.
"""

import html
import json
import re
from pathlib import Path
from urllib.parse import urljoin

from docutils import nodes
from korean_search import LATIN_PARTICLES
from site_address import absolute_root
from sphinx import addnodes
from sphinx.locale import _
from theme_messages import N_

# sphinx-gallery writes these English labels into its pages; they are translated like
# furo's own labels, from the theme catalog locales/<language>/LC_MESSAGES/sphinx.po.
GALLERY_LABELS = [
    N_("Go to the end"), N_("to download the full example code."),
    N_("Total running time of the script:"), N_("Download Jupyter notebook:"),
    N_("Download Python source code:"), N_("Download zipped:"),
    N_("Download all examples in Python source code:"),
    N_("Download all examples in Jupyter notebooks:"), N_("Computation times"),
    N_("from all galleries"), N_("Example"), N_("Time"), N_("Mem (MB)"),
]  # fmt: skip
# ... and these with numbers in them: pattern -> message, its groups numbered from 0.
GALLERY_PATTERNS = {
    r"\((\d+) minutes ([\d.]+) seconds\)": N_("({0} minutes {1} seconds)"),
    r"total execution time for (\d+) files?": N_("total execution time for {0} file(s)"),
    r"^🏷 Tags:": N_("🏷 Tags:"),
}


# reST needs a space between markup and the particle after it (``x`` 를, :doc:`...` 에);
# Korean writes none. The Korean pages join them after a literal, link or formula.
_ENDINGS = (
    LATIN_PARTICLES
    + " 입니다 이다 이면 면 라는 란 이라는 에서도 으로도 로도 에도 이라서 라서 이므로"
)
JOINED_PARTICLES = re.compile(
    rf"^ (?=(?:{'|'.join(sorted(set(_ENDINGS.split()), key=lambda w: (-len(w), w)))})(?![가-힣]))"
)
INLINE = (nodes.literal, nodes.reference, nodes.emphasis, nodes.strong, nodes.math,
          nodes.inline, addnodes.pending_xref, addnodes.literal_emphasis)  # fmt: skip

# furo writes these English words into attributes and icon titles without gettext:
# docs/_templates/page.html replaces each by its translation in sphinx.po.
FURO_LABELS = [
    N_("Toggle site navigation sidebar"), N_("Toggle table of contents sidebar"),
    N_("Toggle Light / Dark / Auto color theme"), N_("Contents"), N_("Menu"), N_("Expand"),
    N_("Light mode"), N_("Dark mode"), N_("Auto light/dark, in light mode"),
    N_("Auto light/dark, in dark mode"), N_("Toggle navigation of {title}"),
]  # fmt: skip
# matplotlib's animation player (jshtml): its buttons' titles and the repetition modes
PLAYER_LABELS = [
    N_("Decrease speed"), N_("First frame"), N_("Previous frame"), N_("Play backwards"),
    N_("Pause"), N_("Play"), N_("Next frame"), N_("Last frame"), N_("Increase speed"),
    N_("Repetition mode"), N_("Once"), N_("Loop"), N_("Reflect"), N_("Frame"),
]  # fmt: skip
# sphinx-copybutton keeps its strings in a table in copybutton.js, by language
COPYBUTTON_LABELS = {
    "copy": N_("Copy"), "copy_to_clipboard": N_("Copy to clipboard"),
    "copy_success": N_("Copied!"), "copy_failure": N_("Failed to copy"),
}  # fmt: skip
# Sphinx's search page reports its results with this plural (translations.js), which its
# own Korean catalog leaves empty: the status line was blank. Korean has one form (the
# catalog's plural_expr is 0), so the singular's entry takes the plural's translation.
SEARCH_RESULTS = (
    "Search finished, found one page matching the search query.",
    N_("Search finished, found ${resultCount} pages matching the search query."),
)
# NumPy-style type words in the API page's parameter lists (napoleon keeps them as text)
TYPE_WORDS = {"optional": N_("optional"), " or ": N_(" or ")}
# "X of Y", one message each (sphinx.po)
TYPE_OF_MESSAGES = {
    "sequence": N_("sequence of {0}"), "tuple": N_("tuple of {0}"), "list": N_("list of {0}"),
}  # fmt: skip
TYPE_OF_WORDS = tuple(TYPE_OF_MESSAGES)
TYPE_OF = re.compile(r"\b(sequence|tuple|list) of (\([^)]*\)|[\w.]+)")
# a whole text that is a type ("tuple of float", "int or None, optional")
TYPE_TEXT = re.compile(r"^[\w.]+(?: (?:of|or) (?:\([^)]*\)|[\w.]+))+(?:, optional)?$")


def _language_twin(app, pagename, templatename, context, doctree):
    """Tell the language switch where this page's twin in the other language is."""
    if app.config.language not in app.config.language_twins:
        return
    code, name, root = app.config.language_twins[app.config.language]
    uri = app.builder.get_target_uri(pagename)
    url = "../" * uri.count("/") + root + uri
    # the 404 page is served at any depth: an absolute link
    if pagename == getattr(app.config, "notfound_pagename", None):
        url = absolute_root(app.config, code) + uri
    context["language_twin"] = {"code": code, "name": name, "url": url}
    base = app.config.html_baseurl  # set from LEGENDRE_SITE_URL (site_address.py)
    if base:  # search engines take hreflang links only as absolute URLs
        links = {app.config.language: urljoin(base, uri), code: urljoin(base, root + uri)}
        context["metatags"] = context.get("metatags", "") + "".join(
            f'\n<link rel="alternate" hreflang="{lang}" href="{href}" />'
            for lang, href in links.items()
        )


def _translate_gallery_labels(app, doctree):
    """Replace sphinx-gallery's English labels by the theme catalog's translations."""
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


def _join_particles(app, doctree):
    """No space between a literal, link or formula and the particle after it (``x``\\ 를).

    Runs before Sphinx collects the page's titles (priority 400), so that the
    sidebar's and the index's copies of a title are joined too.
    """
    if app.config.language == "en":
        return
    for text in list(doctree.findall(nodes.Text)):
        before = text.parent.index(text) - 1 if text.parent is not None else -1
        if before >= 0 and isinstance(text.parent[before], INLINE):
            joined = JOINED_PARTICLES.sub("", str(text), count=1)
            if joined != str(text):
                text.parent.replace(text, nodes.Text(joined))


def _translate_api_words(app, doctree, docname):
    """The API page's NumPy-style types ("sequence of float, optional") in the page's language.

    napoleon writes each word of a parameter's type as its own emphasis, and an
    attribute's type as one text ("tuple of float"): the joining words are translated
    from sphinx.po, and "sequence of float" turns round into "float 시퀀스".
    """
    if app.config.language == "en":
        return
    for field in doctree.findall(nodes.field_body):
        for words in list(field.findall(nodes.paragraph)):  # an attribute's type: texts only
            if all(isinstance(c, nodes.Text) for c in words.children) and TYPE_TEXT.match(
                words.astext()
            ):
                text = TYPE_OF.sub(lambda m: _(TYPE_OF_MESSAGES[m[1]]).format(m[2]), words.astext())
                text = text.replace(" or ", _(" or ")).replace(", optional", ", " + _("optional"))
                words.children = []
                words += nodes.Text(text)
        for words in list(field.findall(nodes.paragraph)):
            parts = [child for child in words.children if isinstance(child, nodes.emphasis)]
            for i, part in enumerate(parts):
                word = part.astext()
                if word in TYPE_OF_WORDS and i + 2 < len(parts) and parts[i + 1].astext() == " of ":
                    item, after = parts[i + 2].deepcopy(), _(TYPE_OF_MESSAGES[word]).split("{0}")[1]
                    part.parent.replace(part, item)
                    parts[i + 1].parent.replace(parts[i + 1], addnodes.literal_emphasis("", after))
                    parts[i + 2].parent.remove(parts[i + 2])
                    parts[i + 2] = item
                elif word in TYPE_WORDS and part.parent is not None:
                    part.parent.replace(part, addnodes.literal_emphasis("", _(TYPE_WORDS[word])))


def _translate_index_entries(app, doctree):
    """genindex's "module" beside legendre: Sphinx writes the word untranslated.

    The index domain has already collected the page's entries when this runs: both its
    record and the page's index nodes are changed.
    """
    if app.config.language == "en":
        return

    def translated(entries: list) -> list:
        module = f"{_('module')}; "
        return [
            (kind, value.replace("module; ", module, 1), *rest) for kind, value, *rest in entries
        ]

    for index in doctree.findall(addnodes.index):
        index["entries"] = translated(index["entries"])
    recorded = app.env.domains.index_domain.entries
    if app.env.docname in recorded:
        recorded[app.env.docname] = translated(recorded[app.env.docname])


def _translate_page_furniture(app, pagename, templatename, context, doctree):
    """The copyright's holder, furo's untranslated labels and the animation player's."""
    if app.config.language == "en":
        return
    author = app.config.author
    if context.get("copyright"):
        context["copyright"] = context["copyright"].replace(author, _(author))
    # docs/_templates/page.html puts these in place of furo's English
    context["furo_labels"] = [
        (label.split("{")[0], _(label).split("{")[0]) for label in FURO_LABELS
    ]
    body = context.get("body", "")
    if 'class="animation"' in body:
        for label in PLAYER_LABELS:
            korean = html.escape(str(_(label)), quote=True)
            for attribute in ("title", "aria-label"):
                body = body.replace(f'{attribute}="{label}"', f'{attribute}="{korean}"')
            body = re.sub(rf"(<label for=\"_anim_radio\d_\w+\">){label}</label>",
                          rf"\g<1>{korean}</label>", body)  # fmt: skip
        context["body"] = body


def _translate_scripts(app, exception):
    """Sphinx's search messages and sphinx-copybutton's labels, from sphinx.po.

    Both live in JavaScript that the build copies as it is: Sphinx's Korean catalog
    (translations.js) leaves the search's plural message empty, and copybutton.js has no
    Korean in its table of languages.
    """
    if exception is not None or app.config.language == "en" or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    translations = static / "translations.js"
    if translations.is_file():
        script = translations.read_text(encoding="utf-8")
        head, catalog = script[: script.index("(") + 1], script[script.index("(") + 1 :]
        data = json.loads(catalog[: catalog.rindex(")")])
        singular, plural = SEARCH_RESULTS
        data["messages"][singular] = [str(_(plural))]
        body = json.dumps(data, ensure_ascii=False, indent=4, sort_keys=True)
        translations.write_text(f"{head}{body});\n", encoding="utf-8")
    copybutton = static / "copybutton.js"
    if copybutton.is_file():
        script = copybutton.read_text(encoding="utf-8")
        table = {key: str(_(label)) for key, label in COPYBUTTON_LABELS.items()}
        entry = f"  {json.dumps(app.config.language)}: {json.dumps(table, ensure_ascii=False)},\n"
        if entry not in script:
            script = script.replace("const messages = {\n", "const messages = {\n" + entry, 1)
            copybutton.write_text(script, encoding="utf-8")


def _join_raises_lines(app, what, name, obj, options, lines):
    """One line per ``:raises:`` field, so the message translators see has no indentation.

    napoleon writes a multi-line Raises entry as ``:raises TypeError: If ...`` with its
    later lines indented; Sphinx keeps that indentation inside the message (``tensors
    are refused`` with five spaces), and re-indenting the docstring would then make
    the translation fuzzy. Runs after napoleon (priority 500), whose "lines" may
    themselves hold newlines.
    """
    i = 0
    while i < len(lines):
        if lines[i].startswith(":raises"):
            while i + 1 < len(lines) and lines[i + 1][:1] == " " and lines[i + 1].strip():
                lines[i] += "\n" + lines.pop(i + 1)
            lines[i] = re.sub(r"\s*\n\s*", " ", lines[i])
        i += 1


def setup(app):
    # registered, so that editing them rebuilds the pages they change
    app.add_config_value("language_twins", {}, "html", types=[dict])
    app.add_config_value("gallery_labels", GALLERY_LABELS, "env", types=[list])
    app.add_config_value("gallery_patterns", GALLERY_PATTERNS, "env", types=[dict])
    app.connect("html-page-context", _language_twin)
    app.connect("doctree-read", _translate_gallery_labels)
    app.connect("doctree-read", _translate_index_entries)
    app.connect("doctree-read", _join_particles, priority=400)
    app.connect("doctree-resolved", _translate_api_words)
    app.connect("html-page-context", _translate_page_furniture)
    app.connect("build-finished", _translate_scripts)
    app.connect("autodoc-process-docstring", _join_raises_lines, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
