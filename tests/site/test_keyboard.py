"""The keyboard reaches what a mouse reaches: the menu, search, contents and language switch.

Below 1008 px furo puts the site menu (with the search box and the language switch)
and the page's contents in drawers opened by icons; docs/_static/site/legendre-drawers.js
makes those icons buttons. At a phone's, a tablet's and a laptop's width, Tab walks
through the page: an icon is opened with Enter, walked through, closed with Escape
(focus returns to the icon), and the walk goes on.
"""

from __future__ import annotations

import pytest

WIDTHS = [390, 900, 1280]
PAGES = ["auto_examples/core/plot_01_custom_function.html", "ko/index.html"]
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
