"""The built site: the tutorial page shows its code, its output, its figures and its downloads."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (tomli is in the test group there)
    import tomli as tomllib

pytestmark = pytest.mark.docs

TUTORIAL = "auto_examples/core/plot_01_custom_function.html"


# Tags a browser shows apart from the text around them: a word never runs across one
BLOCKS = {"p", "div", "pre", "li", "dt", "dd", "td", "th", "br", "h1", "h2", "h3", "summary"}


class _Page(HTMLParser):
    """Collects a page's text, its lesson's text, its <img> and <script> tags, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.image_tags: list[dict] = []
        self.scripts: list[dict] = []
        self.links: list[str] = []
        self.chunks: list[str] = []
        self.lesson: list[str] = []
        self._in_lesson = False
        self._code: str | None = None  # inside a <script> or a <style>, which are not text

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.image_tags.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "article":
            self._in_lesson = True
        if "legendre-references" in (attributes.get("class") or ""):
            self._in_lesson = False  # the build's notes and the downloads follow the lesson
        if tag in BLOCKS and self._in_lesson:
            self.lesson.append("\n")
        if tag in ("script", "style"):
            self._code = tag

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_lesson = False
        if tag == self._code:
            self._code = None

    def handle_data(self, data):
        self.chunks.append(data)
        if self._in_lesson and self._code is None:
            self.lesson.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def tutorial(site) -> _Page:
    return read_page(site / TUTORIAL)


def test_tutorial_page_shows_the_function_code(tutorial):
    text = tutorial.text
    assert "class CubicLegendre(torch.autograd.Function):" in text
    assert "ctx.save_for_backward(x)" in text
    assert "return grad_output * 1.5 * (5 * x**2 - 1)" in text


def test_tutorial_page_prints_the_original_losses_and_result(tutorial, original_run):
    lines, _ = original_run
    text = tutorial.text
    device = re.search(r"Running on: (\S+)", text).group(1)
    printed = re.findall(r"^\d+ \d+\.\d+(?:e-?\d+)?$", text, flags=re.MULTILINE)
    result = re.search(r"^Result: y = .*$", text, flags=re.MULTILINE).group(0)
    if device == "cpu":  # float32 on another device may round differently
        assert printed == lines[:-1]
        assert result == lines[-1]
    else:
        assert [line.split()[0] for line in printed] == [line.split()[0] for line in lines[:-1]]


def test_gallery_offers_a_zip_of_all_examples(site):
    gallery = read_page(site / "auto_examples" / "index.html")
    zips = [link for link in gallery.links if link.endswith(".zip")]
    assert {Path(link).name for link in zips} == {
        "auto_examples_python.zip",
        "auto_examples_jupyter.zip",
    }
    for link in zips:  # each holds every example, as a script or as a notebook
        suffix = ".py" if link.endswith("_python.zip") else ".ipynb"
        with zipfile.ZipFile((site / "auto_examples" / link).resolve()) as archive:
            held = {Path(name).name for name in archive.namelist()}
        assert {path.with_suffix(suffix).name for path in EXAMPLES} <= held, link


# -- Every example page ----------------------------------------------------------

GALLERY = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(GALLERY.rglob("plot_*.py"))


def page_of(script: Path) -> str:
    """The example's page in the gallery, as ``core/plot_01_custom_function``."""
    return script.relative_to(GALLERY).with_suffix("").as_posix()


@pytest.fixture(scope="module", params=[page_of(path) for path in EXAMPLES])
def example(request, site) -> tuple[str, _Page]:
    return request.param, read_page(site / "auto_examples" / f"{request.param}.html")


def test_figures_and_thumbnails_have_the_size_of_their_file(site):
    """Sized, a picture that arrives late neither moves the text nor makes the page lay out again."""
    pages = ["index", *(page_of(script) for script in EXAMPLES)]
    for page_path in (f"auto_examples/{page}.html" for page in pages):
        pictures = [
            tag for tag in read_page(site / page_path).image_tags if "sphx_glr_" in tag["src"]
        ]
        assert pictures, page_path
        for tag in pictures:
            with Image.open((site / page_path).parent / tag["src"]) as image:
                assert (tag.get("width"), tag.get("height")) == tuple(map(str, image.size)), tag


def test_example_pages_run_their_scripts_once_the_page_is_parsed(example):
    """A script that blocks the parser made a phone's first layout a long task (Lighthouse)."""
    name, page = example
    files = [tag for tag in page.scripts if tag.get("src")]
    assert len(files) > 5, name
    for tag in files:
        assert "defer" in tag or tag.get("type") == "module", (name, tag)


WORDS_PER_PAGE = 2_000  # CONTRIBUTING.md, "Adding an example": one lesson, one sitting


def test_every_example_page_stays_within_its_word_budget(example):
    """Code and output count: a learner reads them too; the build's notes and the downloads do not."""
    name, page = example
    words = len("".join(page.lesson).split())
    assert words <= WORDS_PER_PAGE, (
        f"{name} has {words:,} words with code and output, over the {WORDS_PER_PAGE:,} "
        "a page may have: cut it, or split it into two pages of one lesson each"
    )


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_every_example_page_offers_its_downloads(site, example, suffix):
    name, page = example
    stem = Path(name).name
    links = [
        link for link in page.links if "_downloads/" in link and link.endswith(f"/{stem}{suffix}")
    ]
    assert links, f"{stem} offers no {suffix} download"
    assert (site / "auto_examples" / name).parent.joinpath(links[0]).resolve().is_file()


def declared_tags(script: Path) -> list[str] | None:
    """The list a script assigns in its ``# sphinx_gallery_tags = [...]`` comment, if any."""
    found = re.search(r"^# sphinx_gallery_tags = (\[.*\])$", script.read_text(), re.MULTILINE)
    return ast.literal_eval(found.group(1)) if found else None


class _Gallery(HTMLParser):
    """Maps each thumbnail's link (``plot_….html``) to the tags of its ``data-sgtags``."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str] | None] = {}
        self._pending: list[str] | bool | None = False  # False: not inside a thumbnail

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and "sphx-glr-thumbcontainer" in (attributes.get("class") or ""):
            raw = attributes.get("data-sgtags")
            self._pending = json.loads(raw) if raw else None
        elif tag == "a" and self._pending is not False and attributes.get("href"):
            self.tags[attributes["href"]] = self._pending
            self._pending = False


def test_gallery_index_shows_the_tags_each_example_declares(site):
    html = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    gallery = _Gallery()
    gallery.feed(html)
    assert gallery.tags == {f"{page_of(path)}.html": declared_tags(path) for path in EXAMPLES}
    assert any(gallery.tags.values()), "no example declares tags"
    # sphinx-gallery fills this list from the data-sgtags attributes, in the browser
    assert "id='sg-tag-list'" in html
    assert "sg-tags.js" in html


def test_gallery_index_has_both_sections_and_one_tag_list(site):
    for root in ("", "ko/"):
        html = (site / root / "auto_examples" / "index.html").read_text(encoding="utf-8")
        # sphinx-gallery writes a list per section; its script fills the first, ids are unique
        assert html.count("id='sg-tag-list'") == 1, root
        for section in sorted({path.parent.name for path in EXAMPLES}):  # core, further
            assert f'href="{section}/plot_' in html, (root, section)


def test_tagged_example_pages_list_their_tags(site, example):
    stem, page = example
    tags = declared_tags(next(path for path in EXAMPLES if page_of(path) == stem))
    if tags is None:
        pytest.skip(f"{stem} declares no tags")
    shown = re.search(r"Tags: (.*)", page.text)
    assert shown, f"{stem} shows no tags"
    assert shown.group(1).strip().split(", ") == tags


# -- The package travels with the site (tests/test_reader.py runs what a reader gets) ----

LANGUAGES = {"en": "", "ko": "ko/"}
PYPROJECT = tomllib.loads((GALLERY.parent / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("root", LANGUAGES.values())
def test_site_publishes_the_package_it_ran(site, root):
    import legendre

    names = sorted(path.name for path in (site / root / "dist").iterdir())
    assert names == [f"legendre-{legendre.__version__}-py3-none-any.whl",
                     f"legendre-{legendre.__version__}.tar.gz"]  # fmt: skip
    with zipfile.ZipFile(site / root / "dist" / names[0]) as wheel:
        published = wheel.read("legendre/trainer.py")
    assert published == (Path(legendre.__file__).parent / "trainer.py").read_bytes()


@pytest.mark.parametrize("root", LANGUAGES.values())
def test_getting_started_shows_the_command_that_installs_the_wheel(site, site_address, root):
    page = read_page(site / root / "getting_started.html")
    (wheel,) = (site / root / "dist").glob("*.whl")
    base = site_address
    target = f"{base}{root}dist/{wheel.name}" if base else wheel.name
    assert f"$ python -m pip install torch matplotlib {target}" in page.text
    links = [link for link in page.links if link.endswith(wheel.name)]
    assert links
    for link in links:
        if not base:  # the relative link resolves inside the site
            assert (site / root / link).is_file()
        else:
            assert link == f"{base}{root}dist/{wheel.name}"


def test_every_zip_carries_the_wheel_and_a_requirements_file(site):
    zips = sorted(site.glob("**/_downloads/*/*.zip"))
    # in each language: one per example, and the two of all examples (scripts, notebooks)
    assert len(zips) == len(LANGUAGES) * (len(EXAMPLES) + 2)
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            (wheel,) = [name for name in names if name.endswith(".whl")]
            requirements = archive.read("requirements.txt").decode().splitlines()
            assert f"./{wheel}" in requirements, path
            assert set(PYPROJECT["project"]["dependencies"]) <= set(requirements), path
            assert archive.read(wheel) == (path.parents[2] / "dist" / wheel).read_bytes()
            for name in names:
                if name.endswith(".py"):
                    assert "except ModuleNotFoundError:" in archive.read(name).decode(), name


@pytest.mark.parametrize("root", LANGUAGES.values())
def test_every_downloaded_notebook_starts_with_the_same_setup_cell(site, site_address, root):
    notebooks = sorted((site / root / "_downloads").glob("*/plot_*.ipynb"))
    assert len(notebooks) == len(EXAMPLES)
    first = {"".join(json.loads(path.read_text())["cells"][0]["source"]) for path in notebooks}
    assert len(first) == 1
    (cell,) = first
    assert 'importlib.util.find_spec("legendre") is None' in cell
    if site_address:
        (wheel,) = (site / root / "dist").glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        assert f"{site_address}{root}dist/{wheel.name}#sha256={digest}" in cell


def test_pages_name_their_public_address_only_when_one_is_set(site, site_address):
    base = site_address
    for root, twin in (("", "ko/"), ("ko/", "")):
        language = "ko" if root else "en"
        other = "en" if root else "ko"
        for path in sorted((site / root).glob("*.html")) + sorted(
            (site / root / "auto_examples").rglob("plot_*.html")
        ):
            page = path.relative_to(site / root).as_posix()
            text = path.read_text("utf-8")
            alternates = dict(
                re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', text)
            )
            if base is None:
                assert alternates == {}, page
                assert 'rel="canonical"' not in text, page
            elif page not in {"404.html", "genindex.html", "py-modindex.html", "search.html"}:
                assert alternates == {language: f"{base}{root}{page}", other: f"{base}{twin}{page}"}
                assert f'<link rel="canonical" href="{base}{root}{page}">' in text, page


def test_sitemap_lists_every_page_of_each_language(site, site_address):
    base = site_address
    for root in LANGUAGES.values():
        sitemap = site / root / "sitemap.xml"
        if base is None:
            assert not sitemap.exists()
            continue
        listed = re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text())
        pages = ["index.html", "getting_started.html", "reference.html", "api.html"]
        pages += ["auto_examples/index.html"]
        pages += [f"auto_examples/{section}/index.html" for section in ("core", "further")]
        pages += [f"auto_examples/{page_of(path)}.html" for path in EXAMPLES]
        assert sorted(listed) == sorted(f"{base}{root}{page}" for page in pages)


@pytest.mark.parametrize("root", LANGUAGES.values())
def test_colab_links_open_a_notebook_this_build_produced(site, root):
    colab = "https://colab.research.google.com/github/"
    for path in EXAMPLES:
        text = (site / root / "auto_examples" / f"{page_of(path)}.html").read_text("utf-8")
        source = re.search(r'class="view-this-page">\s*<a class="muted-link" href="([^"]+)"', text)
        links = re.findall(rf'href="({re.escape(colab)}[^"]+)"', text)
        if source is None or not source[1].startswith("https://github.com/"):
            assert links == [], path.stem  # no GitHub repository configured
            continue
        owner_repo = source[1].removeprefix("https://github.com/").split("/blob/")[0]
        (link,) = links
        assert link.startswith(f"{colab}{owner_repo}/blob/gh-pages/{root}_downloads/")
        in_site = link.split("/blob/gh-pages/", 1)[1]
        assert in_site.endswith(f"/{path.stem}.ipynb")
        assert (site / in_site).is_file()
