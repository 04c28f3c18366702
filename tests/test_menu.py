"""The site menu: the tree the sidebar shows, read from the built pages."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from example_filter import example_pages

pytestmark = pytest.mark.docs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = example_pages(ROOT / "examples")
LANGUAGES = ("", "ko/")


def section(name: str) -> tuple[str, list]:
    """A gallery section's index, with its examples in file-name order as children."""
    pages = [page for page in EXAMPLES if page.startswith(f"{name}/")]
    return f"auto_examples/{name}/index.html", [(f"auto_examples/{p}.html", []) for p in pages]


# getting started, the core path and going further in reading order, then the references
INTENDED = [
    ("getting_started.html", []),
    section("core"),
    section("further"),
    ("reference.html", []),
    ("api.html", []),
]


class _Menu(HTMLParser):
    """The nested lists of links inside furo's ``sidebar-tree``, as (href, children) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # <div> nesting inside the sidebar tree; 0 outside it
        self.stack: list[list] = []
        self.tree: list = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and "sidebar-tree" in (attributes.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "div":
            self.depth += 1
        elif self.depth and tag == "ul":
            children: list = []
            if self.stack:  # a sub-list belongs to the entry just read
                href, _ = self.stack[-1][-1]
                self.stack[-1][-1] = (href, children)
            else:
                self.tree = children
            self.stack.append(children)
        elif self.depth and tag == "a" and self.stack:
            self.stack[-1].append((attributes["href"], []))

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        elif self.depth and tag == "ul":
            self.stack.pop()


def menu(page: Path, site: Path) -> list:
    """The menu on ``page``, its links made relative to the site's root."""
    parser = _Menu()
    parser.feed(page.read_text(encoding="utf-8"))
    base = posixpath.dirname(page.relative_to(site).as_posix())

    here = page.relative_to(site).as_posix()

    def rebase(entries):
        # the current page links to itself as "#"
        return [
            (here if to == "#" else posixpath.normpath(posixpath.join(base, to)), rebase(kids))
            for to, kids in entries
        ]

    return rebase(parser.tree)


@pytest.mark.parametrize("root", LANGUAGES)
def test_every_page_shows_the_guide_then_the_core_path_further_pages_and_references(site, root):
    """The same menu on every page, with no link to a heading."""
    language = site / root
    pages = ["index.html", "auto_examples/index.html", "api.html", "reference.html"]
    pages += [f"auto_examples/{page}.html" for page in EXAMPLES]
    for page in pages:
        assert menu(language / page, language) == INTENDED, page


@pytest.mark.parametrize("root", LANGUAGES)
def test_home_page_does_not_repeat_the_menu(site, root):
    home = (site / root / "index.html").read_text(encoding="utf-8")
    article = home[home.index("<article") : home.index("</article>")]
    # a hidden toctree leaves an empty wrapper behind; a visible one fills it with links
    wrappers = re.findall(r'class="toctree-wrapper[^"]*">(.*?)</div>', article, re.DOTALL)
    assert wrappers, "the home page has no toctree"
    assert all(not content.strip() for content in wrappers), wrappers
