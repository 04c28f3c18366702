"""Links land where they say: a link to a place on a page puts that place at the top.

Every link to a fragment (``#...``) on every page, in both languages, on a phone and on a
laptop, is followed as a reader follows it. The links come from the built files. Each
page that is the target of a link is loaded once per window: first at one of the places
other pages link to (a first load, as a link from another page opens it), then every
other place that is linked to, from this page or another, is jumped to in that same load
from the top of the page, as a click does. Once every image has loaded, each target must
sit at the top of the window, just below furo's header where there is one (not hidden
under it), or the window must be scrolled as far down as the page goes.

The browser asks for reduced motion, which the site's stylesheet answers with instant
jumps instead of furo's smooth scrolling: nothing waits for an animation to settle.
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from sitecheck import HTML, LAPTOP, PHONE, html_pages

VIEWPORTS = {"phone": PHONE, "laptop": LAPTOP}
# how far below the top (or below furo's header, on a narrow window) a target may land:
# the margin furo keeps above a heading or a code line, and then some
SLACK = 64

SKIPPED = {"search.html", "genindex.html", "404.html", "py-modindex.html"}
PAGES = [page for page in html_pages() if page.rsplit("/", 1)[-1] not in SKIPPED]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and "#" in href:
            self.hrefs.append(href)


def targets(pages: list[str] = PAGES) -> dict[str, dict[str, bool]]:
    """Every place the pages link to: {page: {fragment: linked from another page}}."""
    found: dict[str, dict[str, bool]] = defaultdict(dict)
    for path in pages:
        parser = _Links()
        parser.feed((HTML / path).read_text(encoding="utf-8"))
        here = f"/{path}"
        for href in parser.hrefs:
            parts = urlsplit(urljoin(here, href))
            if parts.scheme or parts.netloc or not parts.fragment:
                continue  # another site, or the top of a page
            target = parts.path + ("index.html" if parts.path.endswith("/") else "")
            target = target.lstrip("/")
            if not (HTML / PurePosixPath(target)).is_file():
                continue  # test_pages checks that links resolve
            across = target != path
            found[target][parts.fragment] = found[target].get(parts.fragment, False) or across
    return dict(sorted(found.items()))


# After every image has loaded, where each id lands: first the one the page was opened at
# (if any), then each of the others, jumped to from the top of the page as a click does.
# A jump is instant (reduced motion); two still frames say that layout has settled.
LANDINGS = r"""async ([opened, ids]) => {
  await Promise.all([...document.images].map((img) => {
    img.loading = "eager";
    return img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; });
  }));
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  const settle = async () => {
    for (let last = -1, same = 0; same < 2; ) {
      await frame();
      same = window.scrollY === last ? same + 1 : 0;
      last = window.scrollY;
    }
  };
  // furo's header stays at the top of a narrow window: a target must land below it
  const header = document.querySelector(".mobile-header");
  const covered = () => header && getComputedStyle(header).display !== "none"
    ? header.getBoundingClientRect().bottom : 0;
  const where = (id) => {
    const target = document.getElementById(decodeURIComponent(id));
    if (!target) return null;
    const bottom = document.scrollingElement.scrollHeight - window.innerHeight;
    return {top: target.getBoundingClientRect().top - covered(),
            atBottom: window.scrollY >= bottom - 2};
  };
  const landed = {};
  if (opened !== null) {
    await settle();
    landed[opened] = where(opened);
  }
  for (const id of ids) {
    history.replaceState(null, "", location.pathname);
    window.scrollTo({top: 0, behavior: "instant"});
    location.hash = id;
    await settle();
    landed[id] = where(id);
  }
  return landed;
}"""


def landed(where: dict | None) -> bool:
    return where is not None and (-2 <= where["top"] <= SLACK or where["atBottom"])


def test_the_links_are_read_from_the_built_pages(site):
    """The test follows what the site links to: at least the tutorial's own jumps."""
    found = targets()
    tutorial = "auto_examples/core/plot_01_custom_function.html"
    assert tutorial in found
    assert any(not across for across in found[tutorial].values())  # "Go to the end"
    assert any(any(fragments.values()) for fragments in found.values())  # across pages


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_every_link_to_a_place_lands_with_it_at_the_top(browser, base_url, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    page = context.new_page()
    missed, checked = [], 0
    try:
        for path, fragments in targets().items():
            # the first load opens the page at a place another page links to, if any
            opened = next((f for f, across in fragments.items() if across), None)
            page.goto(f"{base_url}/{path}" + (f"#{opened}" if opened else ""))
            rest = [fragment for fragment in fragments if fragment != opened]
            for fragment, where in page.evaluate(LANDINGS, [opened, rest]).items():
                checked += 1
                if not landed(where):
                    missed.append((path, f"#{fragment}", where))
    finally:
        context.close()
    assert checked
    assert missed == [], (
        f"{len(missed)} of {checked} links land away from their target ({viewport}): {missed[:5]}"
    )
