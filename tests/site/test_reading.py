"""Reading the site as readers do: on a 390 px phone and a laptop, in light and dark.

Every printed output, figure and display equation must fit its column; text in figures
must stay readable once a figure is scaled down to the column; the gallery's tags must
work from the keyboard. Each page is measured in Chromium at both sizes and in both
themes. With ``SITE_SCREENSHOTS=1`` what the phone showed is also saved, for a person
to look at, under docs/_build/screenshots/ (outside the published html folder).
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import figure_scraper
import pytest
from PIL import Image, ImageStat
from sitecheck import FIGURES, HTML, LAPTOP, PHONE, TUTORIAL, html_pages, node_tool, opened

VIEWPORTS = {"phone": PHONE, "laptop": LAPTOP}
SCREENSHOTS = HTML.parent / "screenshots"  # beside the published folder
# Off by default: 76 full-page pictures cost half a minute and no check reads them.
KEEP_SCREENSHOTS = os.environ.get("SITE_SCREENSHOTS") == "1"
# Smallest text a figure may show, in CSS px, once scaled to its column: "about 9 px".
MIN_FIGURE_TEXT = 8.5
# What the figures' PNG files say about their smallest text (docs/_ext/figure_scraper.py).
FONT_KEY = figure_scraper.FONT_KEY
SLACK = 1  # px: rounding of layout sizes

PAGES = html_pages()
# The pages a reader reads: every example, the galleries and the API page, in both languages.
READING = [
    page
    for page in PAGES
    if re.search(r"(^|/)(auto_examples/.*\.html|api\.html|index\.html)$", page)
    and not re.search(r"(^|/)_", page)
]

# Runs in a loaded page: loads every image, then measures what overflows its column.
MEASURE = r"""async () => {
  await Promise.all([...document.images].map((img) => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  const article = document.querySelector("article[role=main]") || document.querySelector("article");
  const box = article.getBoundingClientRect();
  const css = getComputedStyle(article);
  const left = box.left + parseFloat(css.paddingLeft);
  const right = box.right - parseFloat(css.paddingRight);
  const column = right - left;
  const overflow = (rect) => Math.max(0, rect.right - right, left - rect.left);
  const outputs = [...article.querySelectorAll(".sphx-glr-script-out pre")].map((pre) => {
    const rect = pre.getBoundingClientRect();
    return {
      text: pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "").slice(0, 70),
      width: pre.scrollWidth,
      box: rect.width,
      hidden: Math.max(0, pre.scrollWidth - pre.clientWidth) + overflow(rect),
      cut: Math.max(0, pre.scrollHeight - pre.clientHeight),
    };
  });
  const figures = [...article.querySelectorAll(
    "img.sphx-glr-single-img, img.sphx-glr-multi-img, .animation img")].map((img) => {
    const rect = img.getBoundingClientRect();
    return {
      src: img.currentSrc, natural: img.naturalWidth, width: rect.width,
      hidden: overflow(rect), animation: !!img.closest(".animation"),
      filter: getComputedStyle(img).filter,
    };
  });
  const equations = [...article.querySelectorAll("mjx-container[display='true']")].map((mjx) => {
    const rect = mjx.querySelector("mjx-math").getBoundingClientRect();
    return {text: mjx.closest(".math")?.getAttribute("id") || mjx.textContent.slice(0, 40),
            width: rect.width, hidden: overflow(rect)};
  });
  const players = [...article.querySelectorAll(".animation")].map((player) => {
    const buttons = [...player.querySelectorAll("button")].map((b) => {
      const r = b.getBoundingClientRect();
      return {top: r.top, width: r.width, height: r.height, svg: !!b.querySelector("svg"),
              text: b.textContent.trim()};
    });
    const parts = [player, ...player.querySelectorAll("*")].map((e) => e.getBoundingClientRect());
    return {buttons, hidden: Math.max(...parts.map(overflow))};
  });
  const thumbnails = [...document.querySelectorAll(".sphx-glr-thumbcontainer img")]
    .map((img) => getComputedStyle(img).filter);
  return {column, outputs, figures, equations, players, thumbnails,
          scrolls: document.documentElement.scrollWidth > window.innerWidth};
}"""


def _text_px(src: str, shown: float) -> float | None:
    """The height in CSS px of a figure's smallest text, shown ``shown`` px wide.

    From its PNG file: the smallest font size in points and the resolution it was
    drawn at, which give that text's height in the file's pixels, then scaled as
    the browser scaled the file.
    """
    path = HTML / unquote(urlsplit(src).path).lstrip("/")
    with Image.open(path) as image:
        font, dpi, width = image.info.get(FONT_KEY), image.info.get("dpi"), image.width
    if font is None or dpi is None:
        return None
    return round(float(font) / 72 * float(dpi[0]) * shown / width, 1)


MEASURED: dict[tuple[str, str, str], dict] = {}


@pytest.fixture(scope="module", autouse=True)
def fresh_screenshots():
    """Screenshots of this run only: none left from a page that no longer exists."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)


def measure(browser, base_url: str, page_path: str, viewport: str, scheme: str) -> dict:
    """What a page shows at one size in one theme; one load measures both themes.

    The site's dark mode is CSS alone (``prefers-color-scheme``): Chromium lays the page
    out again when the emulated scheme changes, as it would for a reader's setting.
    """
    key = (page_path, viewport, scheme)
    if key not in MEASURED:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], device_scale_factor=2, color_scheme="light"
        )
        page = context.new_page()
        page.goto(f"{base_url}/{page_path}", wait_until="load")
        for theme in ("light", "dark"):
            page.emulate_media(color_scheme=theme)
            found = page.evaluate(MEASURE)
            if viewport == "phone" and KEEP_SCREENSHOTS:
                name = page_path.replace("/", "__").replace(".html", ".png")
                shot = SCREENSHOTS / theme / name
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True, scale="css")
            for figure in found["figures"]:
                shown = not figure["animation"] and figure["natural"]
                figure["text_px"] = _text_px(figure["src"], figure["width"]) if shown else None
            MEASURED[(page_path, viewport, theme)] = found
            if viewport == "phone" and theme == "light":
                _record(page_path, found)
        context.close()
    return MEASURED[key]


def _record(page_path: str, found: dict) -> None:
    """The widest output, figure and equation of each page at 390 px, for the report."""

    def widest(items: list[dict]) -> int:
        return round(max((item["width"] for item in items), default=0))

    figures = [f for f in found["figures"] if not f["animation"]]
    smallest = [f["text_px"] for f in figures if f["text_px"]]
    table = FIGURES.setdefault("reading at 390 px (widest, CSS px)", {})
    table[page_path] = {
        "column": round(found["column"]),
        "output": widest(found["outputs"]),
        "figure": widest(found["figures"]),
        "equation": widest(found["equations"]),
        "smallest figure text": min(smallest, default=None),
        # how far the figures shrank: their shown width over their width at 1x
        # (naturalWidth: a 2x file's pixels over its density)
        "smallest figure scale": min(
            (round(f["width"] / f["natural"], 2) for f in figures if f["natural"]), default=None
        ),
    }


@pytest.fixture(params=[(v, s) for v in VIEWPORTS for s in ("light", "dark")], ids="-".join)
def look(request):
    return request.param


# Each page is measured on a phone: a laptop's column is wider (furo gives it 46em),
# so what fits a phone and reads there fits and reads on a laptop.
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", READING)
def test_outputs_figures_and_equations_fit_the_column(browser, base_url, page_path, scheme):
    found = measure(browser, base_url, page_path, "phone", scheme)
    assert not found["scrolls"], f"{page_path} scrolls sideways"
    wide = [o for o in found["outputs"] if o["hidden"] > SLACK]
    assert wide == [], f"outputs wider than their box on {page_path} ({found['column']:.0f} px)"
    cut = [o["text"] for o in found["outputs"] if o["cut"] > SLACK]
    assert cut == [], f"outputs cut by a height cap on {page_path}"
    # the "Out:" label sits above the output, which gets the column
    narrow = [o["text"] for o in found["outputs"] if o["box"] < found["column"] - 16]
    assert narrow == [], f"outputs narrower than the column on {page_path}"
    assert [f["src"] for f in found["figures"] if f["hidden"] > SLACK] == [], page_path
    assert [e for e in found["equations"] if e["hidden"] > SLACK] == [], page_path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", READING)
def test_text_in_figures_reads_at_the_width_they_are_shown(browser, base_url, page_path, scheme):
    found = measure(browser, base_url, page_path, "phone", scheme)
    figures = [f for f in found["figures"] if not f["animation"]]
    unknown = [f["src"] for f in figures if f["text_px"] is None]
    assert unknown == [], f"figures without {FONT_KEY} on {page_path}"
    small = [(f["src"].rsplit("/", 1)[1], f["text_px"]) for f in figures]
    assert [s for s in small if s[1] < MIN_FIGURE_TEXT] == [], page_path


@pytest.mark.parametrize("page_path", READING)
def test_figures_animations_and_thumbnails_turn_dark_in_dark_mode(browser, base_url, page_path):
    for scheme in ("light", "dark"):
        found = measure(browser, base_url, page_path, "phone", scheme)
        filters = [f["filter"] for f in found["figures"]] + found["thumbnails"]
        inverted = [f for f in filters if "invert" in f]
        assert inverted == ([] if scheme == "light" else filters), (page_path, scheme)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_figure_is_as_dark_as_the_page_around_it(browser, base_url, scheme):
    """Judged by its pixels, not its CSS: a white slab on a dark page fails."""
    with opened(browser, f"{base_url}/{TUTORIAL}", viewport=PHONE, color_scheme=scheme) as page:
        figure = page.locator("img.sphx-glr-single-img").first
        figure.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete", arg=figure.element_handle())
        shot = Image.open(io.BytesIO(figure.screenshot())).convert("L")
    mean = ImageStat.Stat(shot).mean[0]
    assert mean < 80 if scheme == "dark" else mean > 200, (scheme, mean)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_that_scrolls_sideways_shades_the_edge_that_hides_code(browser, base_url, scheme):
    """On a phone, judged by the pixels of a code box's padding, where no code is drawn:
    the right edge is shaded until the code is scrolled to its end, then the left one;
    code that fits its box has no shade."""
    with opened(browser, f"{base_url}/{TUTORIAL}", viewport=PHONE, color_scheme=scheme) as page:
        wide = page.evaluate("""() => [...document.querySelectorAll(".highlight pre")]
          .map((pre) => pre.scrollWidth > pre.clientWidth)""")
        assert True in wide, "no code block on the tutorial scrolls sideways at 390 px"
        assert False in wide, wide
        code = page.locator(".highlight pre")

        def edges(pre) -> tuple[float, float]:
            pre.scroll_into_view_if_needed()
            shot = Image.open(io.BytesIO(pre.screenshot())).convert("L")
            left = shot.crop((0, 0, 3, shot.height))
            right = shot.crop((shot.width - 3, 0, shot.width, shot.height))
            return ImageStat.Stat(left).mean[0], ImageStat.Stat(right).mean[0]

        scrolls = code.nth(wide.index(True))
        at_start = edges(scrolls)
        scrolls.evaluate("(pre) => { pre.scrollLeft = pre.scrollWidth; }")
        at_end = edges(scrolls)
        fitting = edges(code.nth(wide.index(False)))
    sign = 1 if scheme == "light" else -1  # a shade is darker than the box, or lighter

    def shade(edge: float, plain: float) -> float:
        return sign * (plain - edge)

    assert shade(at_start[1], at_start[0]) > 20, at_start  # the right edge, not the left
    assert shade(at_end[0], at_end[1]) > 20, at_end  # the other way round at the end
    assert abs(fitting[0] - fitting[1]) < 3, fitting


ANIMATION = "auto_examples/further/plot_11_animation.html"


def test_animation_player_fits_with_one_row_of_large_icon_buttons(browser, base_url, look):
    found = measure(browser, base_url, ANIMATION, *look)
    (player,) = found["players"]
    assert player["hidden"] <= SLACK, "the player is wider than its column"
    buttons = player["buttons"]
    assert len(buttons) == 9
    assert len({round(b["top"]) for b in buttons}) == 1, "the buttons wrap"
    assert min(min(b["width"], b["height"]) for b in buttons) >= 24, buttons
    # drawn by the page itself, not by whatever font or emoji the system has
    assert all(b["svg"] and b["text"] == "" for b in buttons), buttons


@pytest.mark.parametrize(
    ("title", "cut"), [("A title that fits", []), ("A title far too long " * 4, ["A title"])]
)
def test_the_build_finds_text_cut_at_a_figure_edge(title, cut):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend(fontsize="small")
    ax.set_title(title)
    try:
        found = figure_scraper.cut_text(figure)
        assert [text[: len("A title")] for text in found] == cut
        # the legend's "small" is 10 pt * 0.833
        assert figure_scraper.smallest_text(figure) == pytest.approx(8.33, abs=0.01)
    finally:
        plt.close(figure)


def test_thumbnails_show_a_figure_not_a_strip(site):
    """A thumbnail of a wide multi-panel figure is a thin strip; one panel fills its box."""
    ratios = {}
    for path in sorted((site / "_images").glob("sphx_glr_plot_*_thumb.png")):
        with Image.open(path) as image:
            box = image.convert("RGBA").getchannel("A").getbbox()
        ratios[path.name] = round((box[2] - box[0]) / (box[3] - box[1]), 2)
    assert ratios, "no thumbnails"
    assert {name: r for name, r in ratios.items() if r > 2.2} == {}


def _luminance(color: str) -> float:
    channels = [float(c) / 255 for c in re.findall(r"[\d.]+", color)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


TAG_STATE = """(tag) => ({pressed: tag.getAttribute("aria-pressed"),
  background: getComputedStyle(tag).backgroundColor,
  shown: [...document.querySelectorAll(".sphx-glr-thumbcontainer")]
    .filter((t) => t.offsetParent !== null).length})"""


@pytest.mark.parametrize("language", ["", "ko/"])
def test_tags_are_buttons_the_keyboard_can_press(browser, base_url, look, language):
    viewport, scheme = look
    with opened(
        browser,
        f"{base_url}/{language}auto_examples/index.html",
        viewport=VIEWPORTS[viewport],
        color_scheme=scheme,
    ) as page:
        tags = page.locator("#sg-tag-list button.sphx-glr-tag")
        assert tags.count() >= 3
        # in words, in the page's language: no emoji that a system may draw as a box
        label = page.locator("#sg-tag-list .sphx-glr-tag-label").first.inner_text()
        assert label == {"": "Tags:", "ko/": "태그:"}[language]
        tag = tags.nth(1)
        for _ in range(200):  # Tab until the tag has focus: it is in the tab order
            page.keyboard.press("Tab")
            if tag.evaluate("(t) => t === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reaches the tags")
        before = tag.evaluate(TAG_STATE)
        page.keyboard.press("Enter")
        # leave the tag so that its focus ring is not what shows the state
        page.evaluate("document.activeElement.blur()")
        selected = tag.evaluate(TAG_STATE)
        page.keyboard.press("Tab")  # a pressed tag stays reachable and toggles back with Space
        tag.focus()
        page.keyboard.press(" ")
        after = tag.evaluate(TAG_STATE)
    assert (before["pressed"], selected["pressed"], after["pressed"]) == ("false", "true", "false")
    assert selected["shown"] < before["shown"] == after["shown"]
    assert _contrast(before["background"], selected["background"]) >= 3, (before, selected)


GALLERY = "auto_examples/index.html"


@pytest.mark.parametrize("language", ["", "ko/"])
def test_clear_leaves_the_keyboard_on_the_tags(browser, base_url, language):
    with opened(browser, f"{base_url}/{language}{GALLERY}", viewport=LAPTOP) as page:
        page.locator("#sg-tag-list button.sphx-glr-tag").nth(2).focus()
        page.keyboard.press("Enter")
        page.locator("#sphx-glr-tag-clear").focus()
        page.keyboard.press("Enter")  # "Clear" hides itself
        focused = page.evaluate(
            """() => ({tag: document.activeElement.matches("#sg-tag-list button.sphx-glr-tag"),
                       pressed: document.querySelectorAll("[aria-pressed=true]").length})"""
        )
    assert focused == {"tag": True, "pressed": 0}


# Presses each tag in turn: which gallery sections show a heading, and how many
# thumbnails each shows, with each tag on.
SECTIONS_BY_TAG = """async () => {
  const sections = [...document.querySelectorAll(
    "section:has(> .sphx-glr-thumbnails):not(:has(#sg-tag-list))")];
  const seen = {};
  for (const tag of document.querySelectorAll("#sg-tag-list button.sphx-glr-tag")) {
    tag.click();
    await new Promise((done) => setTimeout(done));
    seen[tag.textContent] = sections.map((section) => ({
      heading: section.querySelector("h1, h2, h3").checkVisibility(),
      thumbnails: [...section.querySelectorAll(".sphx-glr-thumbcontainer")]
        .filter((t) => t.checkVisibility()).length,
    }));
    tag.click();
  }
  return seen;
}"""


@pytest.mark.parametrize("language", ["", "ko/"])
def test_a_section_with_no_example_left_hides_with_its_heading(browser, base_url, language):
    with opened(browser, f"{base_url}/{language}{GALLERY}", viewport=LAPTOP) as page:
        seen = page.evaluate(SECTIONS_BY_TAG)
    sections = {len(found) for found in seen.values()}
    assert sections == {2}, seen  # the core and the further examples
    # a tag that only one section's examples have ("gradcheck"), and one both have
    assert any(0 in [s["thumbnails"] for s in found] for found in seen.values()), seen
    assert any(0 not in [s["thumbnails"] for s in found] for found in seen.values()), seen
    for found in seen.values():
        assert [s["heading"] for s in found] == [s["thumbnails"] > 0 for s in found], seen


TAG_ROW = """() => {
  const list = document.getElementById("sg-tag-list");
  const box = list.getBoundingClientRect();
  const tags = [...list.querySelectorAll("button")].filter((b) => b.checkVisibility());
  return {height: box.height, scrolls: list.scrollWidth > list.clientWidth,
          rows: new Set(tags.map((b) => Math.round(b.getBoundingClientRect().top))).size,
          tabindex: list.getAttribute("tabindex"),
          name: list.getAttribute("aria-labelledby")
            && document.getElementById(list.getAttribute("aria-labelledby")).textContent};
}"""
# whether the focused tag shows whole inside the row (to a pixel: the row scrolls by whole ones)
IN_ROW = """() => {
  const row = document.getElementById("sg-tag-list").getBoundingClientRect();
  const tag = document.activeElement.getBoundingClientRect();
  return tag.left >= row.left - 1 && tag.right <= row.right + 1;
}"""
AXE_ON_TAGS = """async () => (await axe.run("#sg-tag-list", {resultTypes: ["violations"]}))
  .violations.map((v) => v.id)"""


@pytest.mark.parametrize("language", ["", "ko/"])
def test_tags_on_a_phone_are_one_row_that_scrolls(browser, base_url, language):
    with opened(browser, f"{base_url}/{language}{GALLERY}", viewport=PHONE) as page:
        row = page.evaluate(TAG_ROW)
        # a row the keyboard can scroll, named by its label
        assert row["rows"] == 1, row
        assert row["scrolls"], row
        assert row["height"] <= 60, row
        assert row["tabindex"] == "0", row
        assert row["name"] == {"": "Tags:", "ko/": "태그:"}[language], row
        # each tag scrolls into the row as the keyboard reaches it
        tags = page.locator("#sg-tag-list button.sphx-glr-tag")
        tags.first.focus()
        for _ in range(tags.count() - 1):
            page.keyboard.press("Tab")
            assert page.evaluate(IN_ROW), page.evaluate("document.activeElement.textContent")
        assert tags.last.evaluate("(t) => t === document.activeElement")
        page.add_script_tag(path=str(node_tool("axe-core", "axe.min.js")))
        violations = page.evaluate(AXE_ON_TAGS)
    FIGURES["gallery tags at 390 px (CSS px tall)"] = round(row["height"])
    assert violations == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_header_controls_on_a_phone_do_not_touch(browser, base_url, scheme):
    with opened(browser, f"{base_url}/{TUTORIAL}", viewport=PHONE, color_scheme=scheme) as page:
        boxes = page.eval_on_selector_all(
            ".mobile-header .header-right > *",
            """(items) => items.filter((e) => e.offsetParent !== null)
                 .map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right])""",
        )
    assert len(boxes) == 3  # the language switch, the theme toggle, the contents toggle
    boxes.sort()
    for (_, left_right), (right_left, _) in itertools.pairwise(boxes):
        assert right_left - left_right >= 4, boxes


def test_screenshots_are_kept_outside_the_published_site():
    assert not Path(HTML, "screenshots").exists()
    assert HTML not in SCREENSHOTS.parents


def test_search_results_quote_formulas_as_tex(browser, base_url, site):
    """A result's snippet shows P_3(x) = \\tfrac12 (5x^3 - 3x), not P3(x)=12(5x3−3x)."""
    assert 'data-tex="P_3(x) = \\tfrac12 (5x^3 - 3x)"' in (site / TUTORIAL).read_text("utf-8")
    with opened(
        browser,
        f"{base_url}/search.html",
    ) as page:
        page.wait_for_function("typeof Search !== 'undefined'")
        snippet = page.evaluate(
            """() => Search.htmlToText('<div role="main"><p>where '
                + '<mjx-container data-tex="P_3(x) = \\\\tfrac12\\\\, (5x^3 - 3x)">'
                + 'P3(x)=12(5x3−3x)</mjx-container> is</p></div>')"""
        )
    assert " ".join(snippet.split()) == "where P_3(x) = \\tfrac12 (5x^3 - 3x) is"
