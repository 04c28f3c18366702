"""The animation page is light on a phone: its frames are files, fetched when the player is near.

matplotlib's player carries every frame inline; docs/_ext/animation_player.py moves them
to ``_images/`` and starts the player only when it comes near the window. The first
frame shows at once, as the figure it is, and sharp: it has twice the pixels it is shown at.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image
from sitecheck import FIGURES, HTML, PHONE

PAGES = [
    "auto_examples/further/plot_11_animation.html",
    "ko/auto_examples/further/plot_11_animation.html",
]
# the page without its frames is a page like the others (about 80 KB); with them inline
# it weighed 820 KB
MOST_BYTES = 200_000
FRAME = re.compile(r'frames\[\d+\] = "([^"]*)"')


@pytest.mark.parametrize("path", PAGES)
def test_the_animation_page_carries_no_frame_inline(site, path):
    text = (site / path).read_text(encoding="utf-8")
    frames = FRAME.findall(text)
    FIGURES.setdefault("animation page (bytes)", {})[path] = len(text.encode())
    assert len(frames) > 1
    assert not any(src.startswith("data:") for src in frames)
    assert "data:image" not in text
    assert len(text.encode()) <= MOST_BYTES
    assert all((site / path).parent.joinpath(src).resolve().is_file() for src in frames)


@pytest.mark.parametrize("path", PAGES)
def test_the_player_shows_its_frames_at_half_their_pixels(site, path):
    text = (site / path).read_text(encoding="utf-8")
    (player,) = re.findall(r'<img id="_anim_img[^>]*>', text)
    src, width, height = (
        re.search(rf'{name}="([^"]*)"', player)[1] for name in ("src", "width", "height")
    )
    with Image.open((site / path).parent / src) as frame:
        assert frame.size == (2 * int(width), 2 * int(height)), player


@pytest.mark.parametrize("path", PAGES)
def test_frames_load_only_when_the_player_is_scrolled_to(browser, base_url, path):
    frames = set(FRAME.findall((HTML / path).read_text(encoding="utf-8")))
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.goto(f"{base_url}/{path}", wait_until="load")
        player = page.locator(".animation").first
        image = player.locator("img")
        # the first frame is the figure: it shows before anything else is done
        assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
        distance = player.evaluate("(p) => p.getBoundingClientRect().top - window.innerHeight")
        assert distance > 1000, "the player is too near the top to tell a lazy start"
        page.wait_for_timeout(300)
        early = {url.rsplit("/", 1)[-1] for url in fetched if "/_images/animation_" in url}
        assert len(early) <= 1, f"frames fetched before the player was reached: {early}"

        player.scroll_into_view_if_needed()
        names = {src.rsplit("/", 1)[-1] for src in frames}
        page.wait_for_function(
            "(names) => names.every((name) => performance.getEntriesByType('resource')"
            ".some((entry) => entry.name.endsWith('/' + name)))",
            arg=sorted(names),
            timeout=15_000,
        )
        # and the player plays them: the next frame is another file, loaded
        first = image.get_attribute("src")
        player.locator("button[onclick$='.next_frame()']").click()
        page.wait_for_function(
            "([img, first]) => img.getAttribute('src') !== first && img.naturalWidth > 0",
            arg=[image.element_handle(), first],
        )
        radios = player.locator("input[type=radio]").evaluate_all(
            "(inputs) => inputs.map((i) => Math.min(i.getBoundingClientRect().width,"
            " i.getBoundingClientRect().height))"
        )
        assert len(radios) == 3
        assert min(radios) >= 24, f"the Once/Loop/Reflect targets are {radios} px"
    finally:
        context.close()
