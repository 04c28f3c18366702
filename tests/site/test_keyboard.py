"""The keyboard reaches what a mouse reaches, and shows where it is.

The menu, search, contents and language switch are reached by Tab, and the focus
ring stays visible and on screen after every press.

Below 1008 px furo puts the site menu (with the search box and the language switch)
and the page's contents in drawers opened by icons; docs/_static/site/legendre-drawers.js
makes those icons buttons. At a phone's, a tablet's and a laptop's width, Tab walks
through the page: an icon is opened with Enter, walked through, closed with Escape
(focus returns to the icon), and the walk goes on.
"""

from __future__ import annotations

import pytest
from sitecheck import LAPTOP, PHONE, TUTORIAL, opened

WIDTHS = [390, 900, 1280]
PAGES = [TUTORIAL, "ko/index.html"]
# what the focused element is, for the walk
KIND = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  if (e.closest("label.nav-overlay-icon")) return "menu button";
  if (e.closest("label.toc-overlay-icon")) return "contents button";
  if (e.matches("input[name=q]")) return "search";
  if (e.matches("a[hreflang]")) return "language";
  if (e.closest(".sidebar-tree") && e.matches("a")) return "menu link";
  if (e.closest(".toc-tree") && e.matches("a")) return "contents link";
  return "other";
}"""
EXPANDED = "() => document.activeElement.getAttribute('aria-expanded')"
WANTED = {"search", "language", "menu link", "contents link"}
# what each drawer holds that the walk must reach before closing it
INSIDE = {"menu button": {"search", "menu link"}, "contents button": {"contents link"}}
PRESSES = 150


def walk(page) -> dict[str, int]:
    """Tab through the page, opening each drawer: {kind of control: press that reached it}."""
    seen: dict[str, int] = {}
    presses = 0

    def tab() -> str | None:
        nonlocal presses
        presses += 1
        page.keyboard.press("Tab")
        return page.evaluate(KIND)

    while presses < PRESSES and not seen.keys() >= WANTED:
        kind = tab()
        if kind is None:
            continue
        if kind in INSIDE and kind not in seen:
            seen[kind] = presses
            assert page.evaluate(EXPANDED) == "false", kind
            page.keyboard.press("Enter")
            assert page.evaluate(KIND) != kind, f"Enter on the {kind} left focus on it"
            seen.setdefault(page.evaluate(KIND), presses)
            while presses < PRESSES and not INSIDE[kind] <= seen.keys():
                seen.setdefault(tab(), presses)
            page.keyboard.press("Escape")
            assert page.evaluate(KIND) == kind, f"Escape did not return focus to the {kind}"
            assert page.evaluate(EXPANDED) == "false", f"Escape did not close the {kind}'s drawer"
            continue
        seen.setdefault(kind, presses)
    return seen


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_tab_reaches_menu_search_contents_and_language(browser, base_url, width, path):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/{path}")
        seen = walk(page)
    finally:
        context.close()
    assert seen.keys() >= WANTED, f"at {width} px Tab never reached {WANTED - seen.keys()}: {seen}"
    if width < 1008:  # furo's drawers
        assert {"menu button", "contents button"} <= seen.keys(), seen


# -- The focus ring -----------------------------------------------------------------
FOCUSED = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return {
    name: e.tagName + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "")
      + " " + (e.getAttribute("aria-label") || e.textContent).trim().slice(0, 30),
    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
      && r.left < innerWidth && r.top < innerHeight && s.visibility !== "hidden",
    outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth),
    outlineColor: s.outlineColor,
  };
}"""
# After a Tab the page may still be moving: a smooth scroll to the focused element,
# a transition (the skip link slides in). Wait for both to end before measuring.
SETTLE = """async () => {
  await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  let last = NaN, still = 0;
  for (let frame = 0; frame < 120 && still < 3; frame++) {
    await new Promise((done) => requestAnimationFrame(done));
    still = scrollY === last ? still + 1 : 0;
    last = scrollY;
  }
}"""
TABS = 40  # past the header, the sidebar (or the closed drawer) and into the page
ANIMATION = "auto_examples/further/plot_11_animation.html"
FOCUS_PAGES = ["index.html", "auto_examples/index.html", TUTORIAL, ANIMATION, "ko/api.html"]
# Each width and each theme once: where the ring lands depends on the width, whether it
# shows on the theme; the two other pairings add no case of their own.
LOOKS = {"phone-light": (PHONE, "light"), "laptop-dark": (LAPTOP, "dark")}


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("page_path", FOCUS_PAGES)
def test_focus_is_visible_and_on_screen_after_every_tab(browser, base_url, page_path, look):
    viewport, scheme = LOOKS[look]
    with opened(browser, f"{base_url}/{page_path}", viewport=viewport, color_scheme=scheme) as page:
        seen = []
        for _ in range(TABS):
            page.keyboard.press("Tab")
            page.evaluate(SETTLE)
            focused = page.evaluate(FOCUSED)
            if focused is not None:
                seen.append(focused)
    assert len(seen) >= TABS // 2
    assert [f["name"] for f in seen if not f["onScreen"]] == [], f"off screen on {page_path}"
    assert [(f["name"], f["outline"]) for f in seen if f["outline"] < 2] == [], page_path
    assert [f["name"] for f in seen if f["outlineColor"].endswith(", 0)")] == [], page_path


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_field_shows_its_focus(browser, base_url, scheme):
    with opened(browser, f"{base_url}/index.html", viewport=LAPTOP, color_scheme=scheme) as page:
        page.focus("input.sidebar-search")
        focused = page.evaluate(FOCUSED)
    assert focused["outline"] >= 2, focused
