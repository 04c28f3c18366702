"""The Korean edition's page furniture: a language switch, translated gallery labels, search.

The pages themselves are translated by Sphinx's gettext catalogs in docs/locales and
the examples by docs/translate.py; this extension covers what neither reaches, and
keeps napoleon's indentation out of the messages translators see.
"""

import re
from urllib.parse import urljoin

from docutils import nodes
from sphinx.locale import _
from sphinx.search import SearchLanguage

# sphinx-gallery writes these English labels into its pages; they are translated like
# furo's own labels, from the theme catalog locales/<language>/LC_MESSAGES/sphinx.po.
GALLERY_LABELS = [
    "Go to the end", "to download the full example code.", "Total running time of the script:",
    "Download Jupyter notebook:", "Download Python source code:", "Download zipped:",
    "Download all examples in Python source code:", "Download all examples in Jupyter notebooks:",
    "Computation times", "from all galleries", "Example", "Time", "Mem (MB)",
]  # fmt: skip
# ... and these with numbers in them: pattern -> message, its groups numbered from 0.
GALLERY_PATTERNS = {
    r"\((\d+) minutes ([\d.]+) seconds\)": "({0} minutes {1} seconds)",
    r"total execution time for (\d+) files?": "total execution time for {0} file(s)",
    r"^🏷 Tags:": "🏷 Tags:",
    # the summary of an exercise's folded solution (raw HTML in the examples' text)
    r"(?<=<summary>)Solution(?=</summary>)": "Solution",
}

# Sphinx has no Korean search language, and its default one indexes words with their
# particles (조사): "손실을" and "손실은", never "손실". _search_korean() drops
# particles after a word of two or more syllables, in the index and in the query alike.
KOREAN_PARTICLES = (
    "에서는 에서 으로 에게 부터 까지 마다 처럼 보다 은 는 이 가 을 를 의 에 로 와 과 도"
)


def _language_twin(app, pagename, templatename, context, doctree):
    """Tell the language switch where this page's twin in the other language is."""
    if app.config.language not in app.config.language_twins:
        return
    code, name, root = app.config.language_twins[app.config.language]
    uri = app.builder.get_target_uri(pagename)
    url = "../" * uri.count("/") + root + uri
    context["language_twin"] = {"code": code, "name": name, "url": url}
    base = app.config.html_baseurl  # set from LEGENDRE_SITE_URL (legendre_publish.py)
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


def _search_korean():
    """A Sphinx search language for Korean: trailing particles are dropped, no stemming."""
    # Repeated to a fixed point, so "변화도를", "변화도" and "변화" share one entry.
    particle = rf"^([가-힣]{{2,}}?)(?:{'|'.join(KOREAN_PARTICLES.split())})$"
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

        def word_filter(self, word: str) -> bool:
            # Numbers with a unit ("4.6초" splits into "4" and "6초") are not search
            # terms, and they change with every run: leave them out like bare numbers.
            return super().word_filter(word) and not word[:1].isdigit()

    return SearchKorean


def _translate_404(app, config):
    """notfound's 404 page text is English and not in a catalog: take it from sphinx.po."""
    if config.language != "en":
        title = _("Page not found")
        text = _("Unfortunately we couldn't find the content you were looking for.")
        config.notfound_context = {"title": title, "body": f"<h1>{title}</h1>\n\n{text}"}


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
    app.add_search_language(_search_korean())
    app.connect("config-inited", _translate_404)
    app.connect("html-page-context", _language_twin)
    app.connect("doctree-read", _translate_gallery_labels)
    app.connect("autodoc-process-docstring", _join_raises_lines, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
