"""Links land where they say: a link to a place on a page puts that place at the top.

Every link to a fragment (``#...``) on every page, in both languages, on a phone and on a
laptop, is followed as a reader follows it: an in-page link after the page has loaded, a
link to another page as a first load of that page. Once every image has loaded, the target
must sit at the top of the window, just below furo's header where there is one (not hidden
under it), or the window must be scrolled as far down as the page goes.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from sitecheck import html_pages

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
# how far below the top (or below furo's header, on a narrow window) a target may land:
# the margin furo keeps above a heading or a code line, and then some
SLACK = 64

PAGES = [
    page
    for page in html_pages()
    if page.rsplit("/", 1)[-1]
    not in {"search.html", "genindex.html", "404.html", "py-modindex.html"}
]

# After every image has loaded: where is the element with this id, and can the window
# scroll any further down?
WHERE = r"""async (id) => {
  await Promise.all([...document.images].map((img) => {
    img.loading = "eager";
    return img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; });
  }));
  // until a smooth scroll has settled: the same position for five frames running
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  for (let last = -1, same = 0; same < 5; ) {
    await frame();
    same = window.scrollY === last ? same + 1 : 0;
    last = window.scrollY;
  }
  const target = document.getElementById(decodeURIComponent(id));
  if (!target) return null;
  const bottom = document.scrollingElement.scrollHeight - window.innerHeight;
  // furo's header stays at the top of a narrow window: a target must land below it
  const header = document.querySelector(".mobile-header");
  const covered = header && getComputedStyle(header).display !== "none"
    ? header.getBoundingClientRect().bottom : 0;
  return {top: target.getBoundingClientRect().top - covered, atBottom: window.scrollY >= bottom - 2};
}"""

# Every link on the page to a fragment of this site: [path or "", id]
LINKS = r"""() => [...document.querySelectorAll("a[href*='#']")]
  .map((a) => a.href)
  .filter((href) => href.startsWith(location.origin))
  .map((href) => { const u = new URL(href); return [u.pathname, u.hash.slice(1)]; })
  .filter(([, id]) => id)"""


# Follow an in-page link from the top of the page, as a click on it does.
FOLLOW = r"""(id) => {
  if (location.hash) history.replaceState(null, "", location.pathname);
  window.scrollTo({top: 0, behavior: "instant"});
  location.hash = id;
}"""


def landed(where: dict | None) -> bool:
    return where is not None and (-2 <= where["top"] <= SLACK or where["atBottom"])


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_every_link_to_a_place_lands_with_it_at_the_top(browser, base_url, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    page = context.new_page()
    missed, across = [], set()
    try:
        for path in PAGES:
            url = f"{base_url}/{path}"
            page.goto(url)
            for target_path, fragment in dict.fromkeys(map(tuple, page.evaluate(LINKS))):
                if target_path != urlsplit(url).path:
                    across.add((target_path, fragment))
                    continue
                page.evaluate(FOLLOW, fragment)
                where = page.evaluate(WHERE, fragment)
                if not landed(where):
                    missed.append((path, f"#{fragment}", where))
        for target_path, fragment in sorted(across):
            page.goto(urljoin(base_url, f"{target_path}#{fragment}"))
            where = page.evaluate(WHERE, fragment)
            if not landed(where):
                missed.append((target_path, f"#{fragment}", where))
    finally:
        context.close()
    assert missed == [], (
        f"{len(missed)} links land away from their target ({viewport}): {missed[:5]}"
    )
