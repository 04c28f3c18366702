"""The Korean edition: complete catalogs, unchanged code, and a Korean twin for every page."""

from __future__ import annotations

import ast
import html
import io
import json
import re
import sys
import tokenize
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import catalogs
import code_labels
import messages
import printed_figures
import pytest
import script_messages
import translate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (tomli is in the test group there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))
GLOSSARY = tomllib.loads((catalogs.CATALOGS.parent / "glossary.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def english_messages() -> dict:
    """What the catalogs must translate, extracted from the English sources right now."""
    return translate.templates()


@pytest.fixture(scope="module")
def translated(english_messages) -> dict:
    return {name: catalogs.read_catalog(name) for name in english_messages}


# -- Catalogs -------------------------------------------------------------------------------


def test_each_source_has_its_catalog_and_no_other(english_messages):
    on_disk = {path.stem for path in catalogs.CATALOGS.glob("*.po")}
    assert on_disk == set(english_messages) | {translate.THEME_CATALOG}


def test_catalogs_translate_every_english_message(english_messages, translated):
    problems = {
        name: catalogs.compare(template, translated[name])
        for name, template in english_messages.items()
    }
    untranslated = {name: p.untranslated for name, p in problems.items() if p.untranslated}
    fuzzy = {name: p.fuzzy for name, p in problems.items() if p.fuzzy}
    obsolete = {name: p.obsolete for name, p in problems.items() if p.obsolete}
    hint = "run `nox -s translations` and translate the new msgids in docs/locales/ko"
    assert not untranslated, f"untranslated messages ({hint}): {untranslated}"
    assert not fuzzy, f"fuzzy messages: check and unflag them: {fuzzy}"
    assert not obsolete, f"messages the English sources no longer hold: {obsolete}"


def test_extraction_notices_a_changed_english_sentence(tmp_path):
    """The guard itself: one edited word in an example makes one untranslated message."""
    source = EXAMPLES[0].read_text(encoding="utf-8")
    edited = source.replace("# The device\n", "# The device it runs on\n", 1)
    assert edited != source
    catalog = catalogs.read_catalog(translate.EXAMPLES_CATALOG)
    table = catalogs.translator(catalog)
    before = [
        u.msgid for u in messages.units(script_messages.script_pieces(source)) if not u.literal
    ]
    after = [
        u.msgid for u in messages.units(script_messages.script_pieces(edited)) if not u.literal
    ]
    missing = [msgid for msgid in after if table(msgid) == msgid]
    assert [msgid for msgid in before if table(msgid) == msgid] == []
    assert missing == ["The device it runs on"]


def test_an_update_adds_a_new_figure_label_to_the_theme_catalog_and_keeps_the_rest(
    tmp_path, monkeypatch
):
    theme = catalogs.CATALOGS / f"{catalogs.THEME_CATALOG}.po"
    (tmp_path / theme.name).write_bytes(theme.read_bytes())
    monkeypatch.setattr(catalogs, "CATALOGS", tmp_path)
    new_page = {"P4 at 0.5": "docs/references.toml", 'the "P4" {value}': "docs/_ext/p4.py"}
    monkeypatch.setattr(catalogs, "site_texts", lambda: {"Home": "furo", **new_page})
    catalogs.add_site_texts()
    text = (tmp_path / theme.name).read_text(encoding="utf-8")
    assert text.startswith(theme.read_text(encoding="utf-8"))  # the hand-written part stays
    assert text.endswith('\n# docs/_ext/p4.py\nmsgid "the \\"P4\\" {value}"\nmsgstr ""\n')
    catalog = {m.id: m.string for m in catalogs.read_catalog(catalogs.THEME_CATALOG) if m.id}
    assert {text: catalog[text] for text in new_page} == {"P4 at 0.5": "", 'the "P4" {value}': ""}
    assert catalog["Home"] == "홈"
    catalogs.add_site_texts()  # a second update adds nothing
    assert (tmp_path / theme.name).read_text(encoding="utf-8") == text


def test_an_update_offers_no_guess_borrowed_from_a_different_sentence():
    """A new message starts empty; an edited one keeps its old translation, marked fuzzy."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="ko")
    catalog.add("Function transforms", "함수 변환")
    catalog.add("The loss falls quickly at first.", "손실은 처음에 빠르게 줄어듭니다.")
    template = Catalog()
    template.add("A Function for P4")
    template.add("The loss falls very quickly at first.")
    catalog.update(template)
    assert catalogs.drop_far_guesses(catalog) == ["A Function for P4"]
    found = {m.id: (m.string, m.fuzzy) for m in catalog if m.id}
    assert found == {
        "A Function for P4": ("", False),
        "The loss falls very quickly at first.": ("손실은 처음에 빠르게 줄어듭니다.", True),
    }


_ROLE = re.compile(r"(:[\w:.+-]+:`)(?:[^`<]*<)?([^`>]+)>?`")
_LITERAL = re.compile(r"``.+?``")
_MATH = re.compile(r":math:`[^`]+`")


def _markup(text: str) -> Counter:
    """Cross-reference targets, inline literals and math: what a translation must keep."""
    roles = [role + target for role, target in _ROLE.findall(text) if role != ":math:`"]
    return Counter(roles + _LITERAL.findall(text) + _MATH.findall(text))


def test_translations_keep_references_literals_and_math(translated):
    changed = []
    for name, catalog in translated.items():
        for message in catalog:
            if message.id and _markup(message.id) != _markup(message.string):
                english, korean = _markup(message.id), _markup(message.string)
                changed.append({
                    "catalog": f"{name}.po", "msgid": message.id[:80],
                    "missing from the translation": sorted((english - korean).elements()),
                    "not in the English": sorted((korean - english).elements()),
                })  # fmt: skip
            if message.id.endswith("::") != message.string.endswith("::"):
                changed.append((name, message.id, "a literal block needs its '::'"))
    assert not changed, "a translation keeps the English's references, ``literals`` and math"


# -- Glossary and whole sentences ---------------------------------------------------------------

# Markup whose text is code, math or a link target: a glossary rule never applies inside it.
_CODE = re.compile(r"``.+?``|:[\w:.+-]+:`[^`]*`|`[^`<]*<[^>]*>`_")
_PLACEHOLDER = re.compile(r"\{[\w.\[\] /+*-]*(?::[^{}]*)?\}")


def _forbidden_variants(text: str) -> list[tuple[str, str]]:
    """(glossary term, variant found) for every forbidden variant in ``text``, code left out.

    A format placeholder (``{fused_gain:.1f}``) counts as the number it prints.
    """
    prose = _PLACEHOLDER.sub("0", _CODE.sub(" ", text))
    return [
        (term["english"], found.group())
        for term in GLOSSARY["term"]
        for pattern in term.get("forbidden", [])
        for found in re.finditer(pattern, prose)
    ]


def test_glossary_terms_are_complete():
    for term in GLOSSARY["term"]:
        assert {"english", "korean", "reason"} <= set(term), term
        assert set(term) <= {"english", "korean", "forbidden", "gloss", "reason"}, term
        for pattern in term.get("forbidden", []):
            re.compile(pattern)
    glossed = [term["korean"] for term in GLOSSARY["term"] if term.get("gloss")]
    assert {"변화도", "순전파", "역전파", "야코비안", "헤시안"} <= set(glossed)


def test_glossary_finds_a_forbidden_variant_outside_code_only():
    """The guard itself: a calque in prose is found, the same letters in code are not."""
    assert _forbidden_variants("이 기계에서 200 000개") == [
        ("machine (the computer that runs the code)", "기계"),
        ("numbers (2000 points, 200 000 points, 100 steps)", "0 000"),
    ]
    assert [variant for _, variant in _forbidden_variants("점 2,000개, 1387 단계, “그래프”")] == [
        "2,000", "7 단계", "“", "”"
    ]  # fmt: skip
    assert _forbidden_variants("점 2000개, 점 20만 개, {meet:,.0f}단계, 경사하강법") == []
    assert _forbidden_variants("경사 하강법과 경사하강 10단계의 루프") == [
        ("gradient descent", "경사 하강"),
        ("gradient descent", "경사하강"),
        ("loop (a for loop over training steps)", "루프"),
    ]
    assert _forbidden_variants('``"fused"`` 단계, "fused" 단계, :func:`fused`') == []
    assert _forbidden_variants("fused 단계") == [('"fused" (the name of a fit method)', "fused")]


def test_translations_use_the_glossary_terms():
    """No msgstr of any catalog uses a forbidden variant (examples.po: code comments too)."""
    found = []
    for path in sorted(catalogs.CATALOGS.glob("*.po")):
        for message in catalogs.read_catalog(path.stem):
            if message.id and message.string:
                found += [
                    (path.name, *hit, message.id[:60])
                    for hit in _forbidden_variants(message.string)
                ]
    assert not found, "see docs/locales/ko/glossary.toml: " + "\n".join(map(str, found))


def _prose_before_first_code(example: Path) -> str:
    """The Korean page's prose in reading order: text blocks without titles or code comments."""
    parser = pytest.importorskip("sphinx_gallery.py_source_parser")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        korean = Path(folder, example.name)
        korean.write_text(_korean(example), encoding="utf-8")
        _, blocks = parser.split_code_and_text_blocks(str(korean))
    lines = "\n".join(block[1] for block in blocks if block[0] == "text").split("\n")
    underline = re.compile(r"^([=\-~^*])\1{2,}$")
    kept = [
        line
        for number, line in enumerate(lines)
        if not underline.match(line.strip())
        and not (number + 1 < len(lines) and underline.match(lines[number + 1].strip()))
    ]
    return " ".join(_CODE.sub(" ", "\n".join(kept)).split())


def _gloss_problems(text: str) -> list[str]:
    """Key terms whose first mention in ``text`` is not glossed as 한글(English)."""
    problems = []
    for term in GLOSSARY["term"]:
        if not term.get("gloss"):
            continue
        first = text.find(term["korean"])
        if first < 0:
            continue
        after = text[first + len(term["korean"]) :]
        # the gloss follows the term, or the compound it starts (헤시안-벡터 곱(...))
        gloss = re.match(r"[가-힣\-]*(?: [가-힣]+)?\(([^)]*)\)", after)
        if not gloss or term["english"].lower() not in gloss.group(1).lower():
            problems.append(f"{term['korean']}: …{text[first : first + 30]}…")
    return problems


def test_gloss_check_finds_a_term_without_its_english():
    """The guard itself."""
    assert _gloss_problems("역전파(backward pass)를 씁니다. 역전파를") == []
    assert _gloss_problems("헤시안-벡터 곱(Hessian-vector product)") == []
    assert _gloss_problems("변화도를 구합니다. 변화도(gradient)") == [
        "변화도: …변화도를 구합니다. 변화도(gradient)…"
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_korean_example_glosses_its_key_terms_at_first_mention(example):
    """The guide's 한글(영어) rule: each key term once per page, where the prose first has it."""
    assert _gloss_problems(_prose_before_first_code(example)) == []


def test_no_message_holds_a_run_of_spaces(english_messages):
    """Indentation that leaks into a message (a docstring's) makes it fragile: re-indenting
    the source would make its translation fuzzy. (labels.po holds string literals as the
    code prints them: their spaces align columns, and are the text itself.)"""
    runs = [
        (name, message.id)
        for name, template in english_messages.items()
        if name != "labels"
        for message in template
        if message.id and re.search(r"\S {2,}\S", message.id)
    ]
    assert not runs


_DISPLAY_MATH = re.compile(r"^(?P<indent>[ \t]*(?:# )?)\.\. math::", re.MULTILINE)
_SOURCES = [
    *EXAMPLES,
    *sorted((ROOT / "docs").glob("*.rst")),
    *sorted((ROOT / "legendre").glob("*.py")),
]


def _text_around(source: str, match: re.Match) -> tuple[str, str]:
    """The line of text before a display and the first line of text after it."""
    comment = match.group("indent").endswith("# ")

    def bare(line: str) -> str:  # a script's text blocks are comments
        return re.sub(r"^\s*#( |$)", "", line) if comment else line

    before = next(
        line for line in reversed(source[: match.start()].split("\n")) if bare(line).strip()
    )
    indent = len(bare(match.group("indent")))
    for line in map(bare, source[match.end() :].split("\n")[1:]):
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            return bare(before).strip(), line.strip()
    return bare(before).strip(), ""


@pytest.mark.parametrize("source", _SOURCES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_text_around_display_math_is_whole_sentences(source):
    """A sentence never runs through a formula: a translator gets whole sentences, each a
    message, so the text before a display ends with a colon and the text after starts anew."""
    text = source.read_text(encoding="utf-8")
    for match in _DISPLAY_MATH.finditer(text):
        before, after = _text_around(text, match)
        assert before.endswith(":"), (
            f"{source.name}: the text before a display formula ends its sentence with a colon "
            f"(a translator gets it as one message): {before[-80:]!r}"
        )
        assert not after[:1].islower(), (
            f"{source.name}: the text after a display formula starts a new sentence: {after[:80]!r}"
        )


# -- Korean examples --------------------------------------------------------------------------


def _code_lines(source: str) -> list[str]:
    """Every line's code with its comment cut off, without the module docstring."""
    tree = ast.parse(source)
    docstring_end = tree.body[0].end_lineno if ast.get_docstring(tree) is not None else 0
    cut = {
        token.start[0]: token.start[1]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    code = []
    for number, line in enumerate(source.split("\n"), start=1):
        kept = line[: cut.get(number, len(line))].rstrip()
        if number > docstring_end and kept:
            code.append(kept)
    return code


def _korean(path: Path) -> str:
    return translate.korean_file(path, {}).decode("utf-8")


def _labels(example: Path) -> dict[str, str]:
    """Each label's English source (quotes and all) -> its Korean source."""
    table = catalogs.translator(catalogs.read_catalog(translate.LABELS_CATALOG))
    pieces = script_messages.script_pieces(example.read_text(encoding="utf-8"))
    return {
        "\n".join(unit.render(unit.msgid)): "\n".join(unit.render(table(unit.msgid)))
        for unit in messages.units(pieces)
        if unit.literal
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_korean_example_keeps_every_line_of_code_but_its_labels(example):
    english = example.read_text(encoding="utf-8")
    korean = _korean(example)
    code = "\n".join(_code_lines(korean))
    labels = _labels(example)
    for source, translation in sorted(labels.items(), key=lambda pair: -len(pair[1])):
        code = code.replace(translation, source)  # each label back in English
    assert code == "\n".join(_code_lines(english))
    assert len(_code_lines(english)) > 10  # the oracle did find the code
    assert _code_lines(korean) != _code_lines(english)  # and the labels are Korean
    assert sum(bool(HANGUL.search(translation)) for translation in labels.values()) >= 3
    compile(korean, example.name, "exec")


def test_label_translations_keep_their_placeholders_and_quotes():
    literals = {
        unit.msgid: unit.literal
        for path in EXAMPLES
        for unit in messages.units(script_messages.script_pieces(path.read_text(encoding="utf-8")))
        if unit.literal
    }
    catalog = catalogs.read_catalog(translate.LABELS_CATALOG)
    broken = []
    for message in catalog:
        if not message.id:
            continue
        literal = literals[message.id]
        quote = literal.lstrip("rRbBuUfF")
        placeholders = (
            code_labels.placeholders(message.string),
            code_labels.placeholders(message.id),
        )
        if "f" in literal.lower() and placeholders[0] != placeholders[1]:
            broken.append((message.id, message.string, "placeholders"))
        try:  # what Python reads: a literal of the same kind, nothing after it
            ast.parse(literal + message.string + quote, mode="eval")
        except SyntaxError:
            broken.append((message.id, message.string, "not a literal"))
    assert not broken
    assert len(literals) > 100


def test_label_rule_leaves_names_alone():
    """Names the examples' code uses stay English: devices, methods, colours, dict keys."""
    msgids = {message.id for message in catalogs.read_catalog(translate.LABELS_CATALOG)}
    for name in ("cpu", "mps", "sgd", "adam", "lbfgs", "fused", "floor", "C0", "|x|",
                 "constrained", "upper left", "MulBackward0", "strong_wolfe"):  # fmt: skip
        assert name not in msgids, name
    for label in ("sum of squared errors (log scale)", "Running on: {device}", "performance"):
        assert label in msgids, label


# -- The built Korean site --------------------------------------------------------------------

TUTORIAL = "auto_examples/core/plot_01_custom_function.html"
_LANG = re.compile(r"<html[^>]*\blang=\"([\w-]+)\"")
# in the sidebar, and in the header furo shows on phones instead (docs/_templates/page.html)
_SWITCHES = [
    re.compile(r'class="sidebar-language-switch".*?href="([^"]+)"', re.DOTALL),
    re.compile(
        r'<header class="mobile-header">.*?class="header-language-switch" href="([^"]+)"', re.DOTALL
    ),
]
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')


def _english_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "ko" not in p.relative_to(site).parts[:1])


def _text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.DOTALL)
    page = re.sub(r"<[^>]+>", "", page)
    return html.unescape(page)


@pytest.mark.docs
def test_every_english_page_has_a_korean_twin(site):
    english = _english_pages(site)
    assert len(english) >= 5
    korean = sorted((site / "ko").rglob("*.html"))
    assert [p.relative_to(site / "ko") for p in korean] == [p.relative_to(site) for p in english]
    for page in english:
        assert _LANG.search(page.read_text(encoding="utf-8")).group(1) == "en", page
        twin = site / "ko" / page.relative_to(site)
        assert _LANG.search(twin.read_text(encoding="utf-8")).group(1) == "ko", twin


@pytest.mark.docs
def test_language_switch_links_each_page_to_its_twin(site, site_address):
    root = urlsplit(site_address or "/").path  # where the site lies on its host
    for page in _english_pages(site):
        twin = site / "ko" / page.relative_to(site)
        for here, there in ((page, twin), (twin, page)):
            for switch in _SWITCHES:
                links = switch.findall(here.read_text(encoding="utf-8"))
                assert len(links) == 1, (here, switch.pattern)
                if here.name == "404.html":  # served at any depth: its links are absolute
                    assert links[0].startswith(root), (here, links[0])
                    target = site / links[0][len(root) :]
                else:
                    target = here.parent / links[0]
                assert target.resolve() == there.resolve(), here


@pytest.mark.docs
def test_every_korean_page_has_a_korean_description(site):
    """Search engines show it: pages without text of their own (search, genindex, 404)
    take the site's description from sphinx.po."""
    for page in _english_pages(site):
        twin = site / "ko" / page.relative_to(site)
        (english,) = _DESCRIPTION.findall(page.read_text(encoding="utf-8"))
        (korean,) = _DESCRIPTION.findall(twin.read_text(encoding="utf-8"))
        assert not HANGUL.search(english), page
        assert len(HANGUL.findall(korean)) >= 10, (twin, korean)


@pytest.mark.docs
def test_korean_pages_are_in_korean(site):
    for page in sorted((site / "ko").rglob("*.html")):
        if page.name in ("search.html", "genindex.html"):
            continue  # Sphinx's own Korean, or an empty index
        text = _text(page)
        assert len(HANGUL.findall(text)) > 10, page
        labels = (
            "Total running time",
            "Download Jupyter notebook",
            "to download the full",
            "Tags:",
            "Page not found",
            "View the source of this page",
        )
        for label in labels:
            assert label not in text, (page, label)


def _printed_labels() -> list[tuple[str, str]]:
    return translate.printed_labels(catalogs.read_catalog(translate.LABELS_CATALOG))


@pytest.mark.docs
def test_korean_tutorial_prints_the_same_losses_and_result(site, original_run):
    english = _text(site / TUTORIAL)
    korean = printed_figures.in_english(_text(site / "ko" / TUTORIAL), _printed_labels())
    losses = re.compile(r"^\d+ \d+\.\d+(?:e-?\d+)?$|^Result: y = .*$", re.MULTILINE)
    assert losses.findall(korean) == losses.findall(english)
    assert len(losses.findall(korean)) == len(original_run[0])
    assert "결과: y = " in _text(site / "ko" / TUTORIAL)  # the label the reader sees


_ALT = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"")
_TAGS_LINE = re.compile(r'<p class="sphx-glr-example-tags">(.*?)</p>', re.DOTALL)


@pytest.mark.docs
def test_korean_figures_and_tags_are_in_korean_and_english_ones_are_not(site):
    """Figure alt text comes from the figures' titles and labels: Korean ones on Korean pages."""
    for root, korean in ((site / "ko", True), (site, False)):
        pages = sorted((root / "auto_examples").glob("*/plot_*.html"))
        assert len(pages) >= 10
        alts = [
            (page.name, html.unescape(alt))
            for page in pages
            for alt in _ALT.findall(page.read_text(encoding="utf-8"))
            if alt
        ]
        assert len(alts) >= 15
        assert [alt for alt in alts if bool(HANGUL.search(alt[1])) != korean] == []
        tags = [(page.name, _TAGS_LINE.search(page.read_text(encoding="utf-8"))) for page in pages]
        assert all(found for _, found in tags)
        # the tags, after the label ("🏷 태그:", translated before them)
        names = [(name, found[1].split(":", 1)[1]) for name, found in tags]
        assert [name for name, text in names if bool(HANGUL.search(text)) != korean] == []


@pytest.mark.docs
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_korean_downloads_carry_the_korean_text(site, suffix):
    korean = sorted((site / "ko" / "_downloads").glob(f"*/plot_*{suffix}"))
    english = sorted((site / "_downloads").glob(f"*/plot_*{suffix}"))
    assert sorted(p.name for p in korean) == sorted(p.name for p in english)
    for path in korean:
        content = path.read_text(encoding="utf-8")
        if suffix == ".ipynb":
            cells = json.loads(content)["cells"]
            content = "\n".join("".join(cell["source"]) for cell in cells)
        assert len(HANGUL.findall(content)) > 100, path
        assert "<summary>Solution</summary>" not in content, path
    for path in english:
        assert not HANGUL.search(path.read_text(encoding="utf-8")), path
