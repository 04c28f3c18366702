"""What the site checks share: where things are, a local web server, and the figures measured."""

from __future__ import annotations

import contextlib
import functools
import gzip
import mimetypes
import os
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "docs" / "_build" / "html"
NODE_MODULES = Path(__file__).parent / "node_modules"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root on a machine with no outside network: no sandbox, and no calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]
# The two screens the checks read the site on, in CSS pixels: a common phone, a laptop.
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
# The page most checks read first: the tutorial itself.
TUTORIAL = "auto_examples/core/plot_01_custom_function.html"
# Every check adds what it measured; conftest prints them and writes site-report.json.
FIGURES: dict[str, object] = {}


def html_pages(site: Path = HTML) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


class Handler(SimpleHTTPRequestHandler):
    """Serves the site the way a real host does: gzip for text, 404.html for what is missing."""

    COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return self._send(404, Path(self.directory) / "404.html")
        return self._send(200, path)

    def _send(self, status: int, path: Path) -> None:
        """Send the whole response here; returning None tells the base class it is done."""
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_response(status)
        if kind.startswith(self.COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = _gzipped(path, path.stat().st_mtime_ns)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", kind + ("; charset=utf-8" if "text" in kind else ""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            # the browser may move on before the end of the file
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)


@functools.cache
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    """A file compressed once, not once per request: the checks load the same files thousands of
    times. (The time it was written keys the cache, for the pages a check rebuilds.)"""
    return gzip.compress(path.read_bytes(), mtime=0)


def node_tool(*parts: str) -> Path:
    path = NODE_MODULES.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: run `npm ci --prefix tests/site` (nox -s site does)")
    return path


@contextlib.contextmanager
def opened(browser, url: str, **options):
    """``url`` loaded in a browser context of its own, closed even when a check fails."""
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()
