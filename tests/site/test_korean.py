"""The Korean edition in a browser: whole words on a phone, and a language switch to tap."""

from __future__ import annotations

import pytest
from sitecheck import FIGURES, LAPTOP, PHONE, TUTORIAL, opened

# Every run of Hangul in the article whose box spans more than one line.
_BROKEN_WORDS = """() => {
  const broken = [];
  const article = document.querySelector("article");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, .math, script, style")) continue;
    for (const word of node.data.matchAll(/[\\uac00-\\ud7a3]+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()]
        .filter((box) => box.width > 0).map((box) => Math.round(box.top)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("path", ["ko/index.html", f"ko/{TUTORIAL}", "ko/api.html"])
def test_korean_words_stay_whole_on_a_phone(browser, base_url, path):
    """Korean breaks lines between words: 있습니다 and 패키지 never lose their last syllables."""
    with opened(browser, f"{base_url}/{path}", viewport=PHONE) as page:
        broken = page.evaluate(_BROKEN_WORDS)
        words = page.evaluate(
            "document.querySelector('article').innerText.match(/[가-힣]+/g).length"
        )
        sideways = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    FIGURES[f"Korean words broken across lines at 390 px, {path}"] = f"{len(broken)} of {words}"
    assert words > 100  # the check did read the page
    assert broken == []
    assert sideways <= 0  # and nothing long pushes the page sideways instead


@pytest.mark.parametrize(
    ("viewport", "switch"),
    [(LAPTOP, ".sidebar-language-switch a"), (PHONE, ".mobile-header .header-language-switch")],
    ids=["desktop sidebar", "phone header"],
)
@pytest.mark.parametrize("path", ["index.html", TUTORIAL, "ko/index.html", f"ko/{TUTORIAL}"])
def test_language_switch_is_a_visible_target_of_24_px(browser, base_url, path, viewport, switch):
    """WCAG 2.5.8 (and Lighthouse's target-size audit) asks 24 x 24 px; on a phone the
    sidebar is a hidden drawer, so the switch sits in the header instead."""
    with opened(browser, f"{base_url}/{path}", viewport=viewport) as page:
        link = page.locator(switch)
        assert link.count() == 1
        assert link.is_visible()
        box = link.bounding_box()
        FIGURES[f"language switch, {viewport['width']} px, {path}"] = [
            round(box["width"]),
            round(box["height"]),
        ]
        assert box["width"] >= 24
        assert box["height"] >= 24
        link.click()
        page.wait_for_load_state()
        twin = path.removeprefix("ko/") if path.startswith("ko/") else f"ko/{path}"
        assert page.url == f"{base_url}/{twin}"
