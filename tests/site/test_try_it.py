"""The tutorial's "Try it" panel in Chromium: torch's numbers, in both languages, by keyboard too.

The panel (docs/_ext/try_it.py, docs/_static/site/try-it.js) trains the tutorial's model
in the browser. Its printed lines are compared with the ones the page printed when it
was built, and, for other settings, with legendre.fit run here with torch.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import math
import re

import pytest
import torch
from sitecheck import FIGURES, HTML, html_pages, opened

import legendre
from legendre.trainer import DivergenceError

PAGE = "auto_examples/core/plot_01_custom_function.html"
LANGUAGES = {"en": PAGE, "ko": f"ko/{PAGE}"}
VIEWPORTS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCRIPT = HTML / "_static" / "try-it.js"
# What the panel must agree with torch to: losses relative to themselves, coefficients
# relative to the largest of the four (a and c end near 1e-9, where a relative error
# means nothing). At the tutorial's settings the agreement is exact on an x86 CPU.
TOLERANCE = 1e-5
# A learning rate of 2e-6 is the slider at log10 = -5.7 (rounded to two digits by the script)
SMALLER_RATE = {"exponent": "-5.7", "lr": 2e-6, "shown": "2e-06"}
OTHER_START = (0.1, -0.8, 0.05, 0.35)
DIVERGING = {"exponent": "-4", "lr": 1e-4}
LOSS_LINE = re.compile(r"^(\d+) (\S+)$")
# the page and the panel print it in the page's language (docs/_ext/try_it.py, RESULT)
RESULT_LINE = re.compile(r"^(?:Result|결과): y = (\S+) \+ (\S+) \* P3\((\S+) \+ (\S+) x\)$")
# what the output box says before the first run (docs/_ext/try_it.py, PLACEHOLDER)
PLACEHOLDER = {
    "en": "Press Run to train the model; the losses it prints appear here.",
    "ko": "실행을 누르면 모델을 학습하고, 출력되는 손실이 여기에 나타납니다.",
}
LOSS_AXIS = {"en": "loss", "ko": "손실"}


def parse(lines: list[str]) -> tuple[dict[int, float], list[float]]:
    """The logged losses by step, and the final a, b, c, d, from printed lines."""
    losses = {int(m[1]): float(m[2]) for line in lines if (m := LOSS_LINE.match(line))}
    results = [RESULT_LINE.match(line) for line in lines]
    (result,) = [m for m in results if m]
    return losses, [float(v) for v in result.groups()]


def agreement(panel: list[str], reference: list[str]) -> dict[str, float]:
    """Assert the panel's printout matches ``reference`` within TOLERANCE; say how closely."""
    losses, coefficients = parse(panel)
    expected_losses, expected_coefficients = parse(reference)
    assert losses.keys() == expected_losses.keys()
    scale = max(abs(v) for v in expected_coefficients)
    loss_errors = [abs(losses[s] / expected_losses[s] - 1) for s in expected_losses]
    coefficient_errors = [
        abs(got - want) / scale
        for got, want in zip(coefficients, expected_coefficients, strict=True)
    ]
    assert max(loss_errors, default=0) <= TOLERANCE, (losses, expected_losses)
    assert max(coefficient_errors) <= TOLERANCE, (coefficients, expected_coefficients)
    return {
        "largest relative difference, losses": max(loss_errors, default=0),
        "largest difference of a coefficient / max |coefficient|": max(coefficient_errors),
        "lines identical": f"{sum(map(str.__eq__, panel, reference))}/{len(reference)}",
    }


def torch_run(lr: float, steps: int, start: tuple[float, ...]) -> tuple[list[str], str | None]:
    """What legendre.fit prints for these settings on the tutorial's data, and its error."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    printed = io.StringIO()
    error = None
    with contextlib.redirect_stdout(printed):
        try:
            legendre.fit(x, torch.sin(x), lr=lr, steps=steps, init=start)
        except DivergenceError as raised:
            error = str(raised)
    return printed.getvalue().splitlines(), error


@pytest.fixture
def open_page(browser, base_url):
    """Open the tutorial in one language, in a fresh page with the given media settings."""
    contexts = []

    def open_(language: str = "en", **options):
        context = browser.new_context(**{"viewport": VIEWPORTS["laptop"], **options})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/{LANGUAGES[language]}")
        page.locator(".try-it").scroll_into_view_if_needed()
        page.errors = errors  # checked after each run
        return page

    yield open_
    for context in contexts:
        context.close()


def run(page, exponent=None, steps=None, start=None) -> tuple[list[str], str, str]:
    """Set the panel, press Run, wait for the end: its printed lines, status and state."""
    panel = page.locator(".try-it")
    if exponent is not None:
        page.locator("#try-it-lr").fill(exponent)
    if steps is not None:
        page.locator("#try-it-steps").fill(str(steps))
    for name, value in zip("abcd", start or (), strict=False):
        page.locator(f"#try-it-{name}").fill(repr(value))
    panel.locator("button[type=submit]").click()
    page.wait_for_selector('.try-it:is([data-state="done"], [data-state="diverged"])')
    assert page.errors == []
    lines = panel.locator(".try-it-output").inner_text().splitlines()
    return lines, panel.locator(".try-it-status").inner_text(), panel.get_attribute("data-state")


def printed_by_the_page(page) -> list[str]:
    """The training output the page printed at build time: the block just above the panel."""
    block = page.locator(".try-it").locator("xpath=preceding-sibling::div[1]")
    assert "sphx-glr-script-out" in block.get_attribute("class")
    return block.inner_text().strip().splitlines()


@pytest.mark.parametrize("language", LANGUAGES)
def test_default_run_prints_the_numbers_the_page_printed(open_page, language):
    page = open_page(language)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    lines, _, state = run(page)
    assert state == "done"
    assert requests == []  # it all runs in the page
    reference = printed_by_the_page(page)
    assert len(reference) == 21  # 20 losses and the result
    FIGURES[f"try it: tutorial's settings vs the page ({language})"] = agreement(lines, reference)
    # drawn as it went: a frame per chunk of steps
    assert int(page.locator(".try-it").get_attribute("data-frames")) > 10
    assert page.locator(".try-it-loss").get_attribute("d").count("L") > 100


SETTINGS = {
    "smaller learning rate": {"exponent": SMALLER_RATE["exponent"], "steps": 3000},
    "another start": {"steps": 1500, "start": OTHER_START},
}


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_changed_settings_print_what_torch_prints(open_page, language, setting):
    page = open_page(language, reduced_motion="reduce")  # the end at once: quicker
    chosen = SETTINGS[setting]
    lines, _, state = run(page, **chosen)
    assert state == "done"
    assert page.locator(".try-it").get_attribute("data-frames") == "1"  # the end alone
    lr = SMALLER_RATE["lr"] if "exponent" in chosen else legendre.trainer.TUTORIAL_LR
    start = chosen.get("start", legendre.trainer.TUTORIAL_INIT)
    reference, error = torch_run(lr, chosen["steps"], start)
    assert error is None
    assert len(lines) == len(reference) == chosen["steps"] // 100 + 1
    FIGURES[f"try it: {setting} vs torch ({language})"] = agreement(lines, reference)


@pytest.mark.parametrize("language", LANGUAGES)
def test_divergence_stops_with_the_message_fit_raises(open_page, language):
    page = open_page(language)
    lines, status, state = run(page, exponent=DIVERGING["exponent"])
    assert state == "diverged"
    reference, error = torch_run(DIVERGING["lr"], 2000, legendre.trainer.TUTORIAL_INIT)
    assert error is not None
    step, last = re.search(r"at step (\d+); the last finite loss was (\S+)\.", error).groups()
    # the status says what happened in a few words; the output has fit's whole message
    if language == "en":
        assert status == f"Stopped at step {step}: the loss diverged."
        assert lines[-1] == f"DivergenceError: {error}"
    else:  # the same numbers in Korean sentences
        assert status == f"{step}단계에서 멈췄습니다. 손실이 발산했습니다."
        message = rf"^DivergenceError: {step}단계.* {re.escape(last)}였습니다.*lr=0\.0001"
        assert re.search(message, lines[-1]), lines[-1]
    assert lines[:-1] == reference  # the losses logged before it (none, this early)


# Where the output's last line sits in its box, from the text's own line boxes (a line that
# wraps has several: the last is the end of the text); and whether anything scrolls sideways.
LAST_LINE = """(panel) => {
  const out = panel.querySelector(".try-it-output");
  const status = panel.querySelector(".try-it-status");
  const range = document.createRange();
  range.selectNodeContents(out);
  const lines = [...range.getClientRects()];
  const last = lines[lines.length - 1];
  const box = out.getBoundingClientRect();
  return {above: box.top - last.top, below: last.bottom - box.bottom,
          sideways: [out, status].map((e) => e.scrollWidth - e.clientWidth)};
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("exponent", [None, DIVERGING["exponent"]], ids=["done", "diverged"])
def test_the_last_line_printed_is_in_view_when_a_run_ends(open_page, viewport, exponent):
    page = open_page(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    lines, _, state = run(page, exponent=exponent)
    assert state == ("done" if exponent is None else "diverged")
    assert RESULT_LINE.match(lines[-1]) if exponent is None else lines[-1].startswith("Diverg")
    where = page.locator(".try-it").evaluate(LAST_LINE)
    assert where["above"] <= 0, where  # the box is scrolled to its end: the line shows whole
    assert where["below"] <= 0, where
    assert where["sideways"] == [0, 0], where  # long lines wrap


PANEL_HEIGHT = "document.querySelector('.try-it').getBoundingClientRect().height"
# Press Run and measure at once: the first chunk of steps waits for the next frame.
HEIGHT_AS_A_RUN_STARTS = f"""() => {{
  document.querySelector(".try-it button[type=submit]").click();
  return {PANEL_HEIGHT};
}}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("exponent", [None, DIVERGING["exponent"]], ids=["done", "diverged"])
def test_the_panel_keeps_its_height_through_a_run(open_page, viewport, exponent):
    page = open_page(viewport=VIEWPORTS[viewport])
    heights = [page.evaluate(PANEL_HEIGHT)]
    if exponent is not None:
        page.locator("#try-it-lr").fill(exponent)
    heights.append(page.evaluate(HEIGHT_AS_A_RUN_STARTS))
    page.wait_for_selector('.try-it:is([data-state="done"], [data-state="diverged"])')
    heights.append(page.evaluate(PANEL_HEIGHT))
    assert max(heights) - min(heights) <= 1, heights


START = """(panel) => {
  const svgs = panel.querySelectorAll("svg");
  const dot = panel.querySelector(".try-it-loss-start");
  return {
    sine: panel.querySelector(".try-it-sine:not(.try-it-key)").getAttribute("d"),
    model: panel.querySelector(".try-it-model:not(.try-it-key)").getAttribute("d"),
    ticks: [...panel.querySelectorAll(".try-it-loss-ticks text")].map((t) => t.textContent),
    dot: dot && getComputedStyle(dot).visibility === "visible"
      ? [dot.getAttribute("cx"), Number(dot.getAttribute("cy"))] : null,
    output: panel.querySelector(".try-it-output").innerText,
    status: panel.querySelector(".try-it-status").innerText,
  };
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_before_a_run_the_panel_shows_where_training_starts(open_page, language):
    page = open_page(language)
    panel = page.locator(".try-it")
    before = panel.evaluate(START)
    # what Run will do, where its output goes; the sine and the starting model; and the
    # starting loss, a dot at step 0 on the loss chart's scale
    assert before["output"] == PLACEHOLDER[language]
    assert before["status"] == ""
    assert before["sine"].count("L") > 100
    assert before["model"].count("L") > 100
    assert len(before["ticks"]) >= 2
    cx, cy = before["dot"]
    assert cx == "44"
    assert 12 <= cy <= 172
    # the dot follows the starting point until a run begins
    page.locator("#try-it-b").fill("-2")
    moved = panel.evaluate(START)
    assert moved["model"] != before["model"]
    assert moved["dot"] != before["dot"]
    # a run's curve starts at the dot: the loss at step 0
    run(page, steps=300)
    after = panel.evaluate(START)
    assert after["output"] != PLACEHOLDER[language]
    cx, cy = after["dot"]
    assert page.locator(".try-it-loss").get_attribute("d").startswith(f"M{cx}.0,{cy:.1f}L")


AXIS_LABELS = """(svg) => [...svg.querySelectorAll(":scope > text")].map((t) => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]};
})"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_both_charts_label_their_axes(open_page, language):
    page = open_page(language)
    run(page, steps=300)
    fit, loss = (page.locator(".try-it svg").nth(i) for i in range(2))
    assert {"−π", "0", "π", "sin(x)"} <= {t["text"] for t in fit.evaluate(AXIS_LABELS)}
    labels = {t["text"]: t["box"] for t in loss.evaluate(AXIS_LABELS)}
    assert {"0", {"en": "step", "ko": "단계"}[language], LOSS_AXIS[language]} <= labels.keys()
    # the y axis's name stands clear of its tick labels, to their left
    ticks = loss.locator(".try-it-loss-ticks text").evaluate_all(
        "(ts) => ts.map((t) => t.getBoundingClientRect().left)"
    )
    assert len(ticks) >= 2
    assert labels[LOSS_AXIS[language]][2] < min(ticks)


def test_everything_works_from_the_keyboard(open_page):
    page = open_page()
    # from the training output above the panel, past its copy button
    page.locator(".try-it").locator("xpath=preceding-sibling::div[1]//pre").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.try-it') !== null"):
            break
    assert page.evaluate("document.activeElement.id") == "try-it-lr"  # the panel's first control
    for _ in range(8):  # 0.05 a press: from log10(5e-6) ≈ -5.3 down to -5.7
        page.keyboard.press("ArrowLeft")
    assert page.locator(".try-it output").inner_text() == SMALLER_RATE["shown"]
    assert page.locator("#try-it-lr").get_attribute("aria-valuetext") == SMALLER_RATE["shown"]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "try-it-steps"
    page.keyboard.press("Control+A")
    page.keyboard.type("300")
    for name in "abcd":
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"try-it-{name}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector('.try-it[data-state="done"]')
    lines = page.locator(".try-it-output").inner_text().splitlines()
    reference, _ = torch_run(SMALLER_RATE["lr"], 300, legendre.trainer.TUTORIAL_INIT)
    agreement(lines, reference)
    page.keyboard.press("Tab")  # Reset brings back the tutorial's settings
    page.keyboard.press("Space")
    assert page.locator(".try-it-output").inner_text() == PLACEHOLDER["en"]
    assert page.locator("#try-it-steps").input_value() == "2000"
    assert page.locator(".try-it output").inner_text() == "5e-06"


def test_every_control_has_a_label(open_page):
    page = open_page()
    panel = page.locator(".try-it")
    for name in ("Learning rate", "Steps", "a", "b", "c", "d"):
        assert panel.get_by_label(name, exact=True).count() == 1, name
    for name in ("Run", "Reset"):
        assert panel.get_by_role("button", name=name, exact=True).count() == 1
    assert panel.get_by_role("img").count() == 2  # the plots, each with a title
    assert panel.get_by_role("region", name="Printed output").count() == 1


def test_dark_theme_redraws_the_panel_in_dark_colours(open_page):
    shots, colours = {}, {}
    for scheme in ("light", "dark"):
        page = open_page(color_scheme=scheme)
        run(page, steps=300)
        panel = page.locator(".try-it")
        shots[scheme] = panel.screenshot(animations="disabled")
        colours[scheme] = panel.evaluate(
            """(panel) => [panel, panel.querySelector(".try-it-model:not(.try-it-key)")]
                 .map((node) => [getComputedStyle(node).backgroundColor,
                                 getComputedStyle(node).stroke, getComputedStyle(node).color])"""
        )
    assert shots["light"] != shots["dark"]
    # the model's dashed line changes colour with the theme, and so does the text
    assert colours["light"][1][1] != colours["dark"][1][1]
    assert colours["light"][0][2] != colours["dark"][0][2]


def test_without_javascript_the_panel_hides_and_the_figures_stay(browser, base_url):
    with opened(browser, f"{base_url}/{PAGE}", java_script_enabled=False) as page:
        assert page.locator(".try-it").count() == 1
        assert not page.locator(".try-it").is_visible()
        figures = page.locator("img.sphx-glr-single-img")
        assert figures.count() >= 2
        for i in range(figures.count()):
            figures.nth(i).scroll_into_view_if_needed()
            loaded = figures.nth(i).evaluate("(img) => img.complete && img.naturalWidth > 0")
            assert loaded, figures.nth(i).get_attribute("src")


def test_script_is_small_and_loaded_on_the_tutorial_only():
    raw = SCRIPT.read_bytes()
    compressed = len(gzip.compress(raw, mtime=0))
    FIGURES["try-it.js bytes"] = {"raw": len(raw), "gzip": compressed}
    assert compressed <= 20_000
    loading = {page for page in html_pages() if "try-it.js" in (HTML / page).read_text()}
    assert loading == set(LANGUAGES.values())
