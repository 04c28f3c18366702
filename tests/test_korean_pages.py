"""What a Korean reader meets on the built Korean pages: no English outside code and names,
and a search that finds the same pages as the English one.

The English a Korean page may show is listed in docs/locales/ko/english.toml, beside the
glossary; the rules for identifiers, glosses and quotes are in that file's header.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import legendre_korean
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (tomli is in the test group there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
KEPT = tomllib.loads((ROOT / "docs/locales/ko/english.toml").read_text(encoding="utf-8"))
KEPT_WORDS = {word for key in ("names", "identifiers", "methods", "units") for word in KEPT[key]}

# -- What a page shows --------------------------------------------------------------------

# elements whose text is code or drawn math; a <div class="highlight-..."> is a code block,
# except highlight-none: the examples' printed output, which a reader reads as text
_CODE_TAGS = {"script", "style", "code", "kbd", "samp", "mjx-container", "svg", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip
_SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")


class _Shown(HTMLParser):
    """The text and the attributes a reader sees or hears, code left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, holds code, is a field list, holds printed output)
        self.open: list[tuple[str, bool, bool, bool]] = []
        self.shown: list[str] = []
        self.printed: list[str] = []  # the examples' printed output, line by line
        self.index_table = False  # genindex: each entry starts with a name from the code

    def _in_field_list(self) -> bool:
        return any(fields for _, _, fields, _ in self.open)

    def _in_code(self) -> bool:
        return any(code for _, code, _, _ in self.open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        code = (
            tag in _CODE_TAGS
            or any(c.startswith("highlight-") and c != "highlight-none" for c in classes)
            or "sig" in classes  # an API signature
            or "legendre-device" in classes  # the stamp's machine, named by its maker
            # in the API's field lists: a parameter's name, and a type that links its page
            or (tag == "strong" and self._in_field_list())
            or (
                tag == "em" and self.open[-1:] and self.open[-1][0] == "a" and self._in_field_list()
            )
        )
        if not self._in_code():
            self.shown += [attributes[name] for name in _SHOWN_ATTRIBUTES if attributes.get(name)]
        if tag not in _VOID:
            fields = tag == "dl" and "field-list" in classes
            self.open.append((tag, code, fields, "sphx-glr-script-out" in classes))
        if tag == "table" and "indextable" in classes:
            self.index_table = True

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        if self.index_table:
            data = re.sub(r"^\s*[\w.]+(?:\(\))?(?= \(|\s*$)", "", data)
        if not self._in_code() and data.strip():
            if any(output for _, _, _, output in self.open):
                self.printed += [line for line in data.split("\n") if line.strip()]
            else:
                self.shown.append(data)


def shown_text(page: str, english: str | None = None) -> list[str]:
    """Every piece of text a page shows: its text, titles, aria-labels and alt texts, and
    the lines its examples print, less what they quote from the ``english`` twin's.

    Every text an example's code prints is a label (tools/code_labels.py), translated in
    labels.po. What the Korean page prints as the English one does is quoted: a line
    printed alike, the value after a translated label ("검사 결과: <torch's message>"),
    and an error or warning a library raised, with the lines its message wraps onto.
    """
    parser = _Shown()
    parser.feed(page)
    twin = _Shown()
    twin.feed(english or "")
    lines = set(twin.printed)
    values = {line.split(": ", 1)[1] for line in twin.printed if ": " in line}
    shown, raised = list(parser.shown), False
    for line in parser.printed:
        wraps = raised and not HANGUL.search(line)  # the raised message's next line
        raised = bool(_RAISED.search(line)) or wraps
        if wraps or line in lines or (": " in line and line.split(": ", 1)[1] in values):
            continue
        shown.append(_RAISED.sub(" ", line))
    return shown


_WORD = re.compile(r"[A-Za-z][\w.'’-]*[A-Za-z0-9_]|[A-Za-z]")
_GLOSS = re.compile(r"(?<=[가-힣])\([^()]*\)")  # 변화도(gradient): the glossary's gloss
_QUOTED = re.compile(r"\"[^\"\n]*\"")  # "fused": a name the code uses
# an error or warning that a library raised, quoted as printed ("real error text"), after
# its class's name and, on a Korean page, a Korean word ("RuntimeError 발생: ...")
_RAISED = re.compile(r"\b[A-Z]\w*(?:Error|Warning|Exception)\b[^:\n]*:.*")
HANGUL = re.compile(r"[가-힣]")


def _identifier(word: str) -> bool:
    return bool(re.search(r"[\d_.]", word) or word.isupper() or re.search(r"[a-z][A-Z]", word))


def english_words(text: str) -> list[str]:
    """The English words in ``text`` that english.toml's rules do not allow."""
    for title in KEPT["titles"]:
        text = text.replace(title, " ")
    text = _RAISED.sub(" ", _QUOTED.sub(" ", _GLOSS.sub(" ", text)))
    return [
        word
        for word in _WORD.findall(text)
        if len(word) > 1 and not _identifier(word) and word.strip("'’-") not in KEPT_WORDS
    ]


def test_english_words_finds_english_outside_names_glosses_and_quotes():
    """The guard itself."""
    assert english_words('변화도(gradient)를 "fused" 단계에서 LegendrePolynomial 로') == []
    assert english_words("torch.func 의 CPU, float32 와 x 가 Python 에서") == []
    assert english_words("RuntimeError: one of the variables was modified") == []
    assert english_words("Made with Sphinx and Furo, Copy") == ["Made", "with", "and", "Copy"]
    assert english_words("optimizer final loss never 손실") == [
        "optimizer",
        "final",
        "loss",
        "never",
    ]


def test_shown_text_has_attributes_and_output_but_no_code():
    page = (
        '<p title="Link to this heading">글 <code>x.sum()</code></p>'
        '<div class="highlight-Python"><pre>print("hi")</pre></div>'
        '<div class="sphx-glr-script-out highlight-none"><pre>never</pre></div>'
        '<img alt="Frame" src="a.png"><dt class="sig"><span>fit(x, y)</span></dt>'
    )
    assert shown_text(page) == ["Link to this heading", "글 ", "Frame", "never"]
    assert shown_text(page, english=page) == ["Link to this heading", "글 ", "Frame"]


def _korean_pages(site: Path) -> list[Path]:
    pages = sorted((site / "ko").rglob("*.html"))
    return [page for page in pages if "_modules" not in page.parts]  # highlighted source


@pytest.mark.docs
def test_korean_pages_show_no_english_outside_code_and_names(site):
    """Chrome, figures' alt texts, printed output: what is not code is Korean or a name."""
    found = {}
    for page in _korean_pages(site):
        twin = site / page.relative_to(site / "ko")
        words = Counter(
            word
            for text in shown_text(page.read_text("utf-8"), twin.read_text("utf-8"))
            for word in english_words(text)
        )
        name = page.relative_to(site / "ko").as_posix()
        if words:
            found[name] = sorted(words)
    assert len(_korean_pages(site)) >= 10
    assert not found, "English on Korean pages (see docs/locales/ko/english.toml): " + str(found)


@pytest.mark.docs
def test_korean_sections_have_anchors_that_say_where_they_lead(site):
    """No ``#id3``: each section's id is its title's words, and the page links to it."""
    counters, hangul = [], 0
    for page in _korean_pages(site):
        text = page.read_text("utf-8")
        ids = re.findall(r'<section id="([^"]+)"', text)
        counters += [
            f"{page.relative_to(site).as_posix()}#{id_}" for id_ in ids if id_[2:].isdigit()
        ]
        hangul += sum(bool(re.search("[가-힣]", id_)) for id_ in ids)
    assert not counters, counters
    assert hangul >= 20
    # the page's contents and its own links lead to those ids
    tutorial = (site / "ko/auto_examples/core/plot_01_custom_function.html").read_text("utf-8")
    targets = set(re.findall(r' id="([^"]+)"', tutorial))
    links = {html.unescape(href) for href in re.findall(r' href="#([^"]+)"', tutorial)}
    assert "학습" in links, sorted(links)
    assert links <= targets, links - targets


# -- Scripts the build translates -------------------------------------------------------


@pytest.mark.docs
def test_korean_copy_button_and_search_status_are_korean(site):
    static = site / "ko" / "_static"
    copybutton = (static / "copybutton.js").read_text(encoding="utf-8")
    table = re.search(r'^  "ko": (\{.*\}),$', copybutton, re.MULTILINE)
    assert table, "copybutton.js has no Korean labels"
    labels = json.loads(table[1])
    assert set(labels) == set(legendre_korean.COPYBUTTON_LABELS)
    assert all(re.search(r"[가-힣]", label) for label in labels.values())


# -- Search, run by the shipped JavaScript ------------------------------------------------

# Runs Sphinx's searchtools.js, with the site's language_data.js (its stemmer and
# splitter) and translations.js, on the site's searchindex.js, as a browser does:
# prints, for each query, the pages found and the status line.
_SEARCH = r"""
const fs = require("fs"), path = require("path"), vm = require("vm");
const [site, ...queries] = process.argv.slice(1);  // node -e: no script path
const context = { console, URLSearchParams, setTimeout, clearTimeout };
context.window = context;
context.document = { addEventListener() {}, getElementById() { return null; }, readyState: "loading" };
context.localStorage = { setItem() {}, getItem() { return null; } };
vm.createContext(context);
const scripts = ["documentation_options.js", "doctools.js", "translations.js",
                 "language_data.js", "searchtools.js"];
for (const name of scripts) {
  const file = path.join(site, "_static", name);
  if (fs.existsSync(file)) vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: name });
}
vm.runInContext("var SPHINX_HIGHLIGHT_ENABLED = false;", context);
vm.runInContext(fs.readFileSync(path.join(site, "searchindex.js"), "utf8"), context);
const found = {};
for (const query of queries) {
  found[query] = vm.runInContext(`(() => {
    const [q, terms, excluded, highlighted, objects] = Search._parseQuery(${JSON.stringify(query)});
    const pages = [...new Set(Search._performSearch(q, terms, excluded, highlighted, objects)
      .map((result) => result[0]))].sort();
    const status = Documentation.ngettext(
      "Search finished, found one page matching the search query.",
      "Search finished, found ${"$"}{resultCount} pages matching the search query.",
      pages.length).replace("${"$"}{resultCount}", pages.length);
    return { pages, status };
  })()`, context);
}
console.log(JSON.stringify(found));
"""


def search(site: Path, *queries: str) -> dict[str, dict]:
    """{query: {"pages": [...], "status": "..."}} from the site's own search scripts."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    run = subprocess.run(
        [node, "-e", _SEARCH, str(site), *queries],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return json.loads(run.stdout)


# Terms that both editions write the same way: each finds the same pages in both.
SAME_IN_BOTH = ["NumPy", "autograd", "LBFGS", "gradcheck", "vmap", "Adam", "CUDA", "Function"]
# An English term and its Korean (glossary.toml) that the two editions use on the same
# pages: each finds the same pages in its edition. (Not every pair does: "Legendre" is
# also in LegendrePolynomial, "Jacobian" is in a torch error message that the modern-style
# page prints, and a translation may say "the loss" where English does not.)
TERM_PAIRS = [
    ("gradient descent", "경사하강법"), ("optimizer", "옵티마이저"),
    ("chain rule", "연쇄 법칙"), ("animation", "애니메이션"),
]  # fmt: skip
# a Korean query with a particle, and the word alone; the glossary's two spellings
SAME_QUERIES = [("NumPy를", "NumPy"), ("autograd가", "autograd"), ("경사 하강법", "경사하강법")]


@pytest.mark.docs
def test_korean_search_finds_the_tutorial_by_its_words_and_says_how_many_pages(site):
    """Words of the tutorial as a reader types them, with or without their particles."""
    words = ["르장드르", "변화도", "역전파", "손실", "함수를", "르장드르의"]
    found = search(site / "ko", *words, *(query for pair in SAME_QUERIES for query in pair))
    for word in words:
        assert "auto_examples/core/plot_01_custom_function" in found[word]["pages"], word
    for query, word in SAME_QUERIES:
        assert found[query]["pages"], query
        assert found[query]["pages"] == found[word]["pages"], (query, word)
    result = found["르장드르"]
    assert len(result["pages"]) >= 5
    assert str(len(result["pages"])) in result["status"]
    assert HANGUL.search(result["status"]), result["status"]


@pytest.mark.docs
def test_a_term_finds_the_same_pages_in_both_editions(site):
    pairs = [(term, term) for term in SAME_IN_BOTH] + TERM_PAIRS
    english = search(site, *(term for term, _ in pairs))
    korean = search(site / "ko", *(term for _, term in pairs))
    for term, korean_term in pairs:
        assert english[term]["pages"], term
        assert korean[korean_term]["pages"] == english[term]["pages"], (term, korean_term)


# markup closed, a space, then a particle: "<code>x</code> 를" reads as a stray space
_SPACED_PARTICLE = re.compile(
    r"</(?:code|a|em|strong|mjx-container)> (?:을|를|은|는|이|가|의|에|에서|로|으로|와|과|도)(?=[\s.,)])"
)


@pytest.mark.docs
def test_korean_pages_write_no_space_before_a_particle(site):
    """reST needs ``x`` 를 in the catalogs; the build joins them (legendre_korean.py)."""
    spaced = {
        page.name: _SPACED_PARTICLE.findall(page.read_text(encoding="utf-8"))[:3]
        for page in _korean_pages(site)
    }
    assert {page: found for page, found in spaced.items() if found} == {}
