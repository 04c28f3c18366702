"""A "Try it" panel under the tutorial's training output: the same fit, run in the browser.

The panel (its controls, two plots the script draws in, and a line saying where its
output will go) is written into the tutorial page, after the printed output that ends
with ``Result:``, and ``_static/try-it.js`` is loaded on that page only; the downloads
are untouched. The script trains the tutorial's model in float32, in the order torch
computes it on a CPU (its header says how), so the tutorial's settings print the page's
numbers. Without JavaScript the panel is hidden.

Its text goes through the theme catalog (``locales/ko/LC_MESSAGES/sphinx.po``), like
the other extensions' labels. The defaults come from :mod:`legendre` itself, and the
points where torch's float32 sine differs from the correctly rounded one are computed
here with torch, so that the browser's data are torch's to the last bit.
"""

from __future__ import annotations

import html
import inspect
import math
from functools import cache

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from theme_messages import N_

PAGE = "auto_examples/core/plot_01_custom_function"
SCRIPT = "try-it.js"  # in html_static_path (docs/_static/site)
POINTS = 2000  # as on the page: torch.linspace(-math.pi, math.pi, 2000)
# The learning-rate slider moves log10(lr) in these steps; lr is then rounded to two
# significant digits (try-it.js), which gives 5e-6 back at log10(5e-6) ≈ -5.30.
RATE_RANGE, RATE_STEP = (-7, -4), 0.05
MAX_STEPS = 10_000

# The panel's text, translated from the theme catalog (tests/test_try_it.py checks that
# each has its translation and that the divergence messages are legendre.fit's).
TITLE = N_("Try it")
INTRO = N_(
    "The same gradient descent, running in your browser: float32 numbers added in the "
    "order torch adds them on a CPU, so the tutorial's settings print the numbers above. "
    "Change the settings and run it again."
)
RATE = N_("Learning rate")
STEPS = N_("Steps")
START = N_("Starting point")
RUN = N_("Run")
RESET = N_("Reset")
FIT_TITLE = N_("sin(x) and the model a + b·P3(c + d·x) on [−π, π]")
LOSS_TITLE = N_("Loss (sum of squared errors, log scale) at each step")
STEP_AXIS = N_("step")
LOSS_AXIS = N_("loss")
OUTPUT = N_("Printed output")
PLACEHOLDER = N_("Press Run to train the model; the losses it prints appear here.")
RUNNING = N_("Training…")
DONE = N_("Done: {steps} steps in {ms} ms.")
# The status line is short; the whole message, as fit raises it, goes to the output.
STOPPED = N_("Stopped at step {step}: the loss diverged.")
DIVERGED = N_(
    "the loss stopped being finite at step {step}; the last finite loss was {last}. "
    "The step size lr={lr} is probably too large for this problem."
)
DIVERGED_AT_START = N_(
    "the loss stopped being finite at step {step}; no step had a finite loss. "
    "The step size lr={lr} is probably too large for this problem."
)
# the tutorial's last line, as the page prints it in each language (labels.po has the
# example's own f-string; this is the same text with the panel's placeholders)
RESULT = N_("Result: y = {a} + {b} * P3({c} + {d} x)")

# Without JavaScript the panel could do nothing: hide it (a <noscript> in the head may hold
# a <style>), so the page shows what it always did.
NOSCRIPT = "<noscript><style>.try-it{display:none}</style></noscript>"


@cache
def sine_ulps() -> str:
    """Where torch's float32 sin(x) is not sin(x) rounded to float32: ``index:ulps`` pairs.

    torch computes the sine with a vectorised approximation (SLEEF) accurate to one unit
    in the last place; the browser rounds its double-precision sine. The script moves
    its values at these points by the given number of units (as integers of the float's
    bits, which is what one unit is) to get torch's data.
    """
    import numpy as np
    import torch

    x = torch.linspace(-math.pi, math.pi, POINTS)
    torch_sine = torch.sin(x).numpy().view(np.int32).astype(np.int64)
    rounded = np.sin(x.numpy().astype(np.float64)).astype(np.float32).view(np.int32)
    ulps = torch_sine - rounded
    return " ".join(f"{i}:{ulps[i]}" for i in np.flatnonzero(ulps))


def defaults() -> dict[str, object]:
    """The tutorial's settings, from legendre itself, as the form's initial values."""
    import legendre
    from legendre.trainer import TUTORIAL_INIT, TUTORIAL_LR

    exponent = round(math.log10(TUTORIAL_LR) / RATE_STEP) * RATE_STEP
    if float(f"{10**exponent:.1e}") != TUTORIAL_LR:  # what try-it.js does with the slider
        raise ExtensionError(f"the slider cannot give the tutorial's lr={TUTORIAL_LR}")
    steps = inspect.signature(legendre.fit).parameters["steps"].default
    start = dict(zip("abcd", map(repr, TUTORIAL_INIT), strict=True))
    return {"lr": f"{exponent:.2f}", "lr_shown": f"{TUTORIAL_LR:g}", "steps": steps, "start": start}


def panel_html() -> str:
    """The panel, in the language of the build."""
    e = html.escape
    d = defaults()
    data = {
        "sine-ulps": sine_ulps(), "running": _(RUNNING), "done": _(DONE), "stopped": _(STOPPED),
        "diverged": _(DIVERGED), "diverged-at-start": _(DIVERGED_AT_START), "result": _(RESULT),
        "state": "ready",
    }  # fmt: skip
    attributes = " ".join(f'data-{name}="{e(value)}"' for name, value in data.items())
    start = "".join(
        f'<div><label for="try-it-{name}">{name}</label>'
        f'<input type="number" id="try-it-{name}" name="{name}" step="any" value="{value}"></div>'
        for name, value in d["start"].items()
    )
    lo, hi = RATE_RANGE
    fit_axes = (
        '<path class="try-it-axes" d="M44 12V172H312"/>'
        '<text x="44" y="188" text-anchor="middle">−π</text>'
        '<text x="178" y="188" text-anchor="middle">0</text>'
        '<text x="312" y="188" text-anchor="middle">π</text>'
        '<text x="40" y="46" text-anchor="end">1</text>'
        '<text x="40" y="96" text-anchor="end">0</text>'
        '<text x="40" y="146" text-anchor="end">−1</text>'
    )
    legend = (
        '<path class="try-it-key try-it-sine" d="M54 22h18"/><text x="76" y="26">sin(x)</text>'
        '<path class="try-it-key try-it-model" d="M54 38h18"/>'
        '<text x="76" y="42">a + b·P3(c + d·x)</text>'
    )
    return f"""\
<section class="try-it" aria-labelledby="try-it-title" {attributes}>
<h3 id="try-it-title">{e(_(TITLE))}</h3>
<p>{e(_(INTRO))}</p>
<form class="try-it-form">
<div><label for="try-it-lr">{e(_(RATE))}</label>
<input type="range" id="try-it-lr" name="lr" min="{lo}" max="{hi}" step="{RATE_STEP}" \
value="{d["lr"]}" aria-valuetext="{d["lr_shown"]}">
<output for="try-it-lr">{d["lr_shown"]}</output></div>
<div><label for="try-it-steps">{e(_(STEPS))}</label>
<input type="number" id="try-it-steps" name="steps" min="0" max="{MAX_STEPS}" step="1" \
value="{d["steps"]}"></div>
<fieldset><legend>{e(_(START))}</legend>{start}</fieldset>
<div class="try-it-buttons"><button type="submit" class="try-it-run">{e(_(RUN))}</button>
<button type="button" class="try-it-reset">{e(_(RESET))}</button></div>
</form>
<div class="try-it-plots">
<svg viewBox="0 0 320 200" role="img" aria-labelledby="try-it-fit-title">
<title id="try-it-fit-title">{e(_(FIT_TITLE))}</title>{fit_axes}
<clipPath id="try-it-plot-area"><rect x="44" y="12" width="268" height="160"/></clipPath>
<path class="try-it-sine" d=""/>
<path class="try-it-model" d="" clip-path="url(#try-it-plot-area)"/>{legend}</svg>
<svg viewBox="0 0 320 200" role="img" aria-labelledby="try-it-loss-title">
<title id="try-it-loss-title">{e(_(LOSS_TITLE))}</title>
<path class="try-it-axes" d="M44 12V172H312"/><g class="try-it-loss-ticks"></g>
<text x="44" y="188" text-anchor="middle">0</text>
<text x="178" y="188" text-anchor="middle">{e(_(STEP_AXIS))}</text>
<text class="try-it-steps-end" x="312" y="188" text-anchor="end">{d["steps"]}</text>
<text x="-92" y="11" transform="rotate(-90)" text-anchor="middle">{e(_(LOSS_AXIS))}</text>
<path class="try-it-loss" d=""/><circle class="try-it-loss-start" r="3" visibility="hidden"/></svg>
</div>
<p class="try-it-status" role="status"></p>
<pre class="try-it-output" tabindex="0" role="region" aria-label="{e(_(OUTPUT))}">\
{e(_(PLACEHOLDER))}</pre>
</section>"""


def insert_panel(app, doctree, docname: str) -> None:
    """Put the panel after the tutorial's training output (the block that prints Result:)."""
    if docname != PAGE or app.builder.format != "html":
        return
    result = "\n" + str(_(RESULT)).split("{a}")[0]  # "Result: y = ", "결과: y = "
    for block in doctree.findall(nodes.literal_block):
        if "sphx-glr-script-out" in block["classes"] and result in block.astext():
            panel = nodes.raw("", panel_html(), format="html")
            block.parent.insert(block.parent.index(block) + 1, panel)
            return
    # An example that did not run in this build (LEGENDRE_EXAMPLES) printed nothing.


def load_script(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Load try-it.js on the page that has the panel, and hide the panel without JavaScript."""
    if pagename == PAGE and 'class="try-it"' in context.get("body", ""):
        app.add_js_file(SCRIPT, type="module")  # a module is deferred: it never blocks paint
        context["metatags"] = context.get("metatags", "") + "\n" + NOSCRIPT


def setup(app):
    app.connect("doctree-resolved", insert_panel)
    app.connect("html-page-context", load_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
