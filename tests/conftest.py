"""Shared fixtures: the original tutorial's loop, written independently, and the built site."""

from __future__ import annotations

import math
import re
from pathlib import Path

import legendre_references
import pytest
import timing_examples
import torch

try:
    import fcntl
except ImportError:  # Windows: no flock, and no test waits for another
    fcntl = None

# Sphinx's own fixtures (make_app, app): the extensions' tests build small sites
pytest_plugins = ("sphinx.testing.fixtures",)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"


# One lock on the CPU for all that may run at once: the docs build's examples
# (docs/_ext/timing_examples.py), `nox -s tests` and `nox -s site`, in one terminal or
# several. What times something (an example tagged "performance", a check marked `alone`,
# such as Lighthouse) holds it alone; every other test shares it, so none runs beside a
# timed one, and a timed one waits for the tests running when it starts.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if fcntl is None:
        return (yield)
    alone = item.get_closest_marker("alone") is not None
    timing_examples.LOCK.parent.mkdir(parents=True, exist_ok=True)
    with timing_examples.LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            return (yield)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def original_tutorial_run(steps: int = 2000, lr: float = 5e-6) -> tuple[list[str], list[float]]:
    """The source tutorial's algorithm, as an oracle: returns its printed lines and final a, b, c, d.

    Written without the package, so a change to ``legendre`` cannot move the oracle.
    """

    class P3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t**3 - 3 * t)

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * 1.5 * (5 * t**2 - 1)

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    lines = []
    for t in range(steps):
        loss = (a + b * P3.apply(c + d * x) - y).pow(2).sum()
        if t % 100 == 99:
            lines.append(f"{t} {loss.item()}")
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            c -= lr * c.grad
            d -= lr * d.grad
        a.grad = b.grad = c.grad = d.grad = None
    coefficients = [p.item() for p in (a, b, c, d)]
    a_, b_, c_, d_ = coefficients
    lines.append(f"Result: y = {a_} + {b_} * P3({c_} + {d_} x)")
    return lines, coefficients


@pytest.fixture(scope="session")
def original_run() -> tuple[list[str], list[float]]:
    return original_tutorial_run()


def partial_build(html: Path) -> list[str]:
    """What a quick build (LEGENDRE_EXAMPLES, LEGENDRE_LANGUAGES) left out of the site at ``html``."""
    missing = [] if (html / "ko" / "index.html").is_file() else ["the Korean edition (ko/)"]
    return missing + legendre_references.pages_not_run(html)


@pytest.fixture(scope="session")
def site() -> Path:
    """The whole HTML site built by ``nox -s docs``; a test that needs it fails without it."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built site at {HTML}: run `nox -s docs` first")
    if missing := partial_build(HTML):
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        shown = ", ".join(missing[:4]) + more
        pytest.fail(
            f"{HTML} is a partial build (LEGENDRE_EXAMPLES or LEGENDRE_LANGUAGES): {shown} "
            "did not run in it. Build the whole site first: `nox -R -s docs`, with neither set."
        )
    return HTML


@pytest.fixture(scope="session")
def site_address(site: Path) -> str | None:
    """The public address the site was built with (``LEGENDRE_SITE_URL``), or None."""
    canonical = re.search(
        r'<link rel="canonical" href="([^"]*)index\.html"', (site / "index.html").read_text()
    )
    return canonical[1] if canonical else None
