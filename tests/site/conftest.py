"""Fixtures for ``nox -s site``: the built site served on 127.0.0.1, and Debian's Chromium.

These checks need Playwright, Java and the npm packages in ``tests/site/package.json``;
``nox -s tests`` has none of them and skips this folder.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sitecheck import CHROMIUM, CHROMIUM_ARGS, FIGURES, HTML, Handler

if importlib.util.find_spec("playwright") is None:  # the plain `tests` session
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def base_url(site: Path):
    """The site served on a free port of 127.0.0.1 for the whole run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium`, or set CHROMIUM")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's ``--dist loadfile``, but test_pages' pages spread over the workers.

    A file's checks may share module state (a page measured once for several checks), so
    they run on one worker; test_pages, a third of the run, shares one visit among the
    checks of a page, so its unit is the page. (xdist's own ``loadgroup`` would do this
    with markers, but on pytest 9.2 it silently ignores them: it renames ``_nodeid``,
    which pytest 9.2 no longer reads.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ByFileAndPage(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file, _, test = nodeid.partition("::")
            if file.endswith("/test_pages.py") and "[" in test:
                return file + test[test.index("[") :]
            return file

    return ByFileAndPage(config, log)


def pytest_sessionfinish(session) -> None:
    """Under pytest-xdist, a worker hands what its checks measured to the controller."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["figures"] = json.dumps(FIGURES)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: the plain `tests` session has no xdist
def pytest_testnodedown(node, error) -> None:
    _add(FIGURES, json.loads(node.workeroutput.get("figures", "{}")))


def _add(figures: dict, more: dict) -> None:
    """Join a worker's figures to the others': tables join, counts add up.

    A count comes from one worker's share of the pages (test_pages'), a table's rows
    each from the one worker that measured that page.
    """
    for name, value in more.items():
        if isinstance(figures.get(name), dict) and isinstance(value, dict):
            _add(figures[name], value)
        elif type(figures.get(name)) is int and type(value) is int:
            figures[name] += value
        else:
            figures[name] = value


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("site figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(value, sort_keys=True)}")
    if HTML.parent.is_dir():
        (HTML.parent / "site-report.json").write_text(json.dumps(FIGURES, indent=2) + "\n")
