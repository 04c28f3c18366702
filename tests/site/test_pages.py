"""Every page in Chromium: nothing fetched from elsewhere, no errors, math typeset, images shown.

Pages are found in the built site, not listed here, so new examples and
translations are checked as soon as they are built.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from sitecheck import FIGURES, HTML, LAPTOP, PHONE, html_pages, node_tool

PAGES = html_pages()

# Runs in the page once it has loaded and MathJax has finished.
INSPECT = r"""async () => {
  if (window.MathJax?.startup?.promise) await MathJax.startup.promise;
  const skip = "pre, code, script, style, textarea, mjx-container";
  const rawTex = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest(skip) && /\\[A-Za-z(\[]/.test(node.textContent))
      rawTex.push(node.textContent.trim().slice(0, 80));
  }
  const maths = [...document.querySelectorAll(".math")];
  return {
    formulas: maths.length,
    untypeset: maths.filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent),
    mathErrors: [...document.querySelectorAll("mjx-merror")].map((e) => e.textContent),
    rawTex,
    images: [...document.images].map((img) => ({
      src: img.getAttribute("src"), current: img.currentSrc, srcset: img.getAttribute("srcset"),
      alt: img.getAttribute("alt"), loaded: img.complete && img.naturalWidth > 0,
      figure: img.matches(".sphx-glr-single-img, .sphx-glr-multi-img"),
    })),
    sourceLinks: [...document.querySelectorAll(".view-this-page a")].map((a) => a.href),
  };
}"""

# Code blocks that scroll sideways on a phone must be reachable with the Tab key.
UNREACHABLE_PRE = """() => [...document.querySelectorAll("pre")]
  .filter((pre) => pre.scrollWidth > pre.clientWidth && pre.tabIndex < 0)
  .map((pre) => pre.textContent.slice(0, 60))"""

# axe's rules as it ships them, and "target-size" (WCAG 2.2: at least 24 px to tap or
# click), which it ships turned off and Lighthouse turns on: here at 1280 px on every page.
AXE = """async (only) => (await axe.run(document, {resultTypes: ["violations"],
    ...(only ? {runOnly: only} : {rules: {"target-size": {enabled: true}}})})).violations
  .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))"""
# Dark mode changes colours only (CSS alone): there, axe's rules about colour, which
# are what a theme can break; every other rule would repeat the light run's answer.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@dataclass
class Visit:
    """What one page did in the browser."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    found: dict = field(default_factory=dict)
    unreachable: list[str] = field(default_factory=list)
    violations: dict[str, list[dict]] = field(default_factory=dict)


class Traffic:
    """The requests a page has in flight, and when the last one began or ended."""

    def __init__(self, page):
        self.open, self.last = 0, time.monotonic()
        for event, change in (("request", 1), ("requestfinished", -1), ("requestfailed", -1)):
            page.on(event, lambda _, change=change: self._count(change))

    def _count(self, change: int) -> None:
        self.open, self.last = self.open + change, time.monotonic()

    def settle(self, page, quiet: float = 0.15, limit: float = 30) -> None:
        """Wait until no request has been in flight for ``quiet`` seconds.

        Playwright's ``networkidle`` waits for 0.5 s of quiet, twice a page. Here the
        requests a page makes after its load event (the favicon, MathJax's fonts) all
        begin within 0.05 s of it, and switching the theme makes none.
        """
        deadline = time.monotonic() + limit
        while self.open or time.monotonic() - self.last < quiet:
            assert time.monotonic() < deadline, f"requests still in flight after {limit} s"
            page.wait_for_timeout(25)  # Playwright delivers the page's events meanwhile


def visit(browser, base_url: str, page_path: str) -> Visit:
    """Open a page at twice the pixel density, in light and then dark mode, and inspect it.

    One load serves both modes: the site's dark mode is CSS alone (``prefers-color-scheme``),
    which Chromium applies again when the emulated scheme changes, fetching what it needs
    through the same guards.
    """
    result = Visit()
    host = urlsplit(base_url).netloc
    axe = node_tool("axe-core", "axe.min.js")
    context = browser.new_context(
        color_scheme="light", device_scale_factor=2, viewport=LAPTOP, service_workers="block"
    )

    def guard(route):
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:  # never let a request leave the machine: record it and refuse it
            result.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    traffic = Traffic(page)
    page.on("console", lambda m: m.type == "error" and result.errors.append(m.text))
    page.on("pageerror", lambda e: result.errors.append(f"exception: {e}"))
    page.on("requestfailed", lambda r: result.failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and result.failed.append(f"{r.url} {r.status}"))
    page.goto(f"{base_url}/{page_path}", wait_until="load")
    result.found = page.evaluate(INSPECT)
    traffic.settle(page)
    page.set_viewport_size(PHONE)
    result.unreachable = page.evaluate(UNREACHABLE_PRE)
    page.set_viewport_size(LAPTOP)
    page.add_script_tag(path=str(axe))
    result.violations["light"] = page.evaluate(AXE, None)
    page.emulate_media(color_scheme="dark")
    traffic.settle(page)
    result.violations["dark"] = page.evaluate(AXE, COLOUR_RULES)
    context.close()
    return result


VISITS: dict[str, Visit] = {}


@pytest.fixture(params=PAGES)
def seen(request, browser, base_url) -> tuple[str, Visit]:
    """A page's visit, made by its first check and read by the others."""
    path = request.param
    if path not in VISITS:
        VISITS[path] = visit(browser, base_url, path)
        _record_figures()
    return path, VISITS[path]


def _record_figures() -> None:
    impacts = Counter(
        v["impact"] for seen in VISITS.values() for vs in seen.violations.values() for v in vs
    )
    FIGURES["pages checked in Chromium"] = len(VISITS)
    FIGURES["outside requests"] = sum(len(v.outside) for v in VISITS.values())
    FIGURES["console errors"] = sum(len(v.errors) for v in VISITS.values())
    FIGURES["failed requests"] = sum(len(v.failed) for v in VISITS.values())
    FIGURES["formulas typeset"] = sum(v.found.get("formulas", 0) for v in VISITS.values())
    FIGURES["axe violations by impact (light + dark)"] = dict(impacts)


def test_pages_were_found():
    assert "index.html" in PAGES, f"no site at {HTML}"
    assert "auto_examples/core/plot_01_custom_function.html" in PAGES


def test_page_requests_nothing_from_another_host(seen):
    path, result = seen
    assert result.outside == [], path


def test_page_logs_no_error_and_every_request_succeeds(seen):
    path, result = seen
    assert result.errors == [], path
    assert result.failed == [], path


def test_page_typesets_every_formula(seen):
    path, result = seen
    assert result.found["untypeset"] == [], path
    assert result.found["mathErrors"] == [], path
    assert result.found["rawTex"] == [], f"raw TeX shown on {path}"


def test_page_images_load_with_alt_text_and_figures_are_sharp(seen):
    path, result = seen
    for image in result.found["images"]:
        assert image["loaded"], f"{image['src']} did not load on {path}"
        assert image["alt"] is not None, f"{image['src']} has no alt attribute on {path}"
        if image["figure"]:
            # sphinx-gallery falls back to the file name ("plot 01 custom function")
            assert image["alt"], image
            assert not re.search(r"sphx|plot \d+|\.png", image["alt"]), image
            # at twice the pixel density the browser must pick the 2x file
            assert re.search(r"\s2(\.0+)?x\b", image["srcset"] or ""), image
            assert image["current"].endswith("_2_00x.png"), image


def test_page_code_blocks_can_be_scrolled_with_the_keyboard(seen):
    path, result = seen
    assert result.unreachable == [], path


def test_page_has_no_serious_accessibility_violation_in_light_or_dark_mode(seen):
    path, result = seen
    serious = {
        scheme: [v for v in violations if v["impact"] in {"serious", "critical"}]
        for scheme, violations in result.violations.items()
    }
    assert serious == {"light": [], "dark": []}, path


def test_page_links_to_source_only_when_a_repository_is_configured(seen):
    path, result = seen
    repository = os.environ.get("LEGENDRE_REPOSITORY_URL")
    links = result.found["sourceLinks"]
    if repository:  # generated pages (search, index) have no source to show
        assert all(link.startswith(repository.rstrip("/") + "/blob/") for link in links), links
        assert len(links) <= 1, path
    else:  # no dead "view source" button
        assert links == [], path
