"""The published files themselves: valid HTML, whole links, no machine paths, same bytes twice."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import legendre_stamp
import pytest
from PIL import Image
from sitecheck import FIGURES, ROOT, TUTORIAL, html_pages, node_tool


class _Links(HTMLParser):
    """A page's ids and the local URLs it points to (links, images, scripts, styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[str] = []
        self.embedded: list[str] = []  # what the page loads, rather than links to

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attributes.get(name):
                self.ids.add(attributes[name])
        # canonical and hreflang links name the public address; a browser loads neither
        named = tag == "a" or attributes.get("rel") in {"canonical", "alternate"}
        for name in ("href", "src"):
            if attributes.get(name) and tag in {"a", "img", "link", "script", "source"}:
                self.urls.append(attributes[name])
                if not named:
                    self.embedded.append(attributes[name])
        for candidate in (attributes.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])
                self.embedded.append(candidate.split()[0])


def _parse(path: Path) -> _Links:
    links = _Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_every_page_is_valid_html(site):
    vnu = node_tool("vnu-jar", "build", "dist", "vnu.jar")
    pages = [str(site / page) for page in html_pages(site)]
    run = subprocess.run(
        ["java", "-jar", str(vnu), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{Path(unquote(urlsplit(m.get('url', '')).path)).relative_to(site)}:"
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    FIGURES["vnu errors"] = len(errors)
    FIGURES["pages checked by vnu"] = len(pages)
    assert errors == []


def test_every_local_link_and_anchor_resolves(site):
    pages = {page: _parse(site / page) for page in html_pages(site)}
    broken = []
    checked = 0
    for page, links in pages.items():
        for url in links.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # links to PyTorch and NumPy: these builds are offline
            if parts.path.startswith("/"):  # the 404 page links from the host's root
                target = site / unquote(parts.path).lstrip("/")
            else:
                target = (site / page).parent / unquote(parts.path)
            if parts.path and target.is_dir():
                target = target / "index.html"
            elif not parts.path:
                target = site / page
            checked += 1
            relative = target.resolve().relative_to(site.resolve()).as_posix()
            if not target.is_file():
                broken.append(f"{page}: {url}")
            elif (
                parts.fragment
                and relative in pages
                and unquote(parts.fragment) not in pages[relative].ids
            ):
                broken.append(f"{page}: {url} (no such anchor)")
    FIGURES["local links and anchors checked"] = checked
    FIGURES["broken links"] = len(broken)
    assert checked > 100
    assert broken == []


def test_no_page_embeds_anything_from_another_host(site):
    """Scripts, styles, fonts and images: the browser check sees them load, this sees them all."""
    outside = [
        f"{page}: {url}"
        for page in html_pages(site)
        for url in _parse(site / page).embedded
        if urlsplit(url).scheme not in {"", "data"} or url.startswith("//")
    ]
    assert outside == []


def _machine_paths() -> set[str]:
    """Absolute paths of this machine that a build could leak."""
    paths = {ROOT, Path.home(), Path(sys.prefix), Path(tempfile.gettempdir())}
    paths |= {Path(p) for p in sysconfig.get_paths().values()}
    return {str(path) + "/" for path in paths if str(path) != "/"} | {str(ROOT)}


def _published_texts(site: Path):
    for path in sorted(site.rglob("*")):
        if path.suffix in {".html", ".ipynb", ".py", ".txt", ".js", ".json", ".css"}:
            yield path.relative_to(site).as_posix(), path.read_text("utf-8", errors="replace")
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield (
                        f"{path.relative_to(site)}:{name}",
                        archive.read(name).decode("utf-8", errors="replace"),
                    )


def test_no_published_file_holds_a_machine_path(site):
    markers = _machine_paths()
    assert str(ROOT) in markers
    leaks = [
        f"{name}: {marker}"
        for name, text in _published_texts(site)
        for marker in markers
        if marker in text
    ]
    FIGURES["files scanned for machine paths"] = sum(1 for _ in _published_texts(site))
    FIGURES["machine paths leaked"] = len(leaks)
    assert leaks == []
    assert not list(site.rglob("*.doctree")), "doctrees published"
    assert not list(site.rglob("*.pickle")), "the build's environment published"


def test_figures_are_opaque_compressed_and_have_a_2x_version(site):
    figures = sorted(site.glob("_images/sphx_glr_*.png"))
    assert figures
    for path in figures:
        with Image.open(path) as image:
            # a 256-colour palette: a fraction of matplotlib's RGBA output
            assert image.mode == "P", path.name
            if "_thumb" not in path.name:
                # opaque white, so black axes stay readable on furo's dark background
                rgba = image.convert("RGBA")
                assert rgba.getchannel("A").getextrema() == (255, 255), path.name
                double = path.with_name(path.stem + "_2_00x.png")
                if not path.stem.endswith("_2_00x"):
                    with Image.open(double) as big:
                        assert big.size == (2 * image.width, 2 * image.height)
    FIGURES["figure files and bytes"] = [len(figures), sum(p.stat().st_size for p in figures)]


# Run-time lines: what an example prints (timings, a load average, "compiling
# pays after 272 steps") and sphinx-gallery's running time. Everything else (prose,
# code, math, figures' markup, navigation) must come out byte for byte the same.
# Printed numbers are checked against an oracle elsewhere (tests/test_site.py).
OUTPUT = re.compile(r'(class="sphx-glr-script-out[^"]*".*?<pre[^>]*>)(.*?)(</pre>)', re.DOTALL)
RUNNING_TIME = re.compile(r'<p class="sphx-glr-timing">.*?</p>')  # in either language
# the stamp's date, run time and memory (docs/_ext/legendre_stamp.py)
VARYING = re.compile(r'(<span class="legendre-varies">)[^<]*(</span>)')
# a figure's alt text is its title, which states the timings a timing plot shows;
# the figure files themselves are compared below
FIGURE_ALT = re.compile(r'(<img src="[^"]*/sphx_glr_[^"]*"[^>]*? alt=")[^"]*"')
# the stamp's commit: a commit made between `nox -s docs` and `nox -s site` that leaves the
# build's sources alone (a test, say) changes it on the page that runs again, and nothing else
# there (the search index holds its words as well: see the test)
SOURCE = re.compile(r'(<div class="line">Source: ).*?(</div>)')


def _without_run_time(text: str) -> str:
    text = FIGURE_ALT.sub(r'\1"', OUTPUT.sub(lambda m: m[1] + m[3], text))
    return SOURCE.sub(r"\1\2", VARYING.sub(r"\1\2", RUNNING_TIME.sub("", text)))


def _without_stamp_figures(name: str, data: bytes) -> bytes:
    """A notebook's bytes without its stamp's date, run time, memory and commit."""
    if not name.endswith(".ipynb"):
        return data
    notebook = json.loads(data)
    made = notebook["metadata"]["legendre"]["output_on_the_page_made_with"]  # the stamp
    for key in (*legendre_stamp.VARYING, "commit", "uncommitted_changes"):
        made[key] = None
    return json.dumps(notebook).encode()


def test_a_second_build_gives_the_same_files(site):
    """Two builds differ only in the stamp's date, run time and memory (and its commit, where
    one was made between them).

    ``nox -s site`` builds every English page again into SITE_REBUILD, from fresh
    doctrees; the examples keep their output but one (noxfile.py's RERUN), which runs
    again: its printed numbers and figures must come out the same.
    """
    other = os.environ.get("SITE_REBUILD")
    if not other:
        pytest.fail("set SITE_REBUILD to a second build of the site (nox -s site does)")
    other = Path(other)
    mine = {page for page in html_pages(site) if not page.startswith("ko/")}
    assert mine == set(html_pages(other))
    sources = [SOURCE.search((build / TUTORIAL).read_text("utf-8")) for build in (site, other)]
    assert all(sources), "the page that ran again has no stamp's commit: fix SOURCE"
    # whose words the search index holds too: it is compared only for builds of one commit
    one_commit = sources[0][0] == sources[1][0]
    FIGURES["search index compared (both builds at one commit)"] = one_commit
    differing, run_time_lines = [], {}
    for page in sorted(mine):
        a, b = (site / page).read_text("utf-8"), (other / page).read_text("utf-8")
        if _without_run_time(a) != _without_run_time(b):
            differing.append(page)
        elif changed := sum(1 for line in difflib.ndiff(a.splitlines(), b.splitlines())
                            if line.startswith("- ")):  # fmt: skip
            run_time_lines[page] = changed
    again = _published_bytes(other)
    other_files = [
        name
        for name, data in _published_bytes(site).items()
        if not name.startswith("ko/")
        and again.get(name) != data
        and not name.endswith((".html", ".buildinfo", ".buildinfo.bak"))
        and (one_commit or name != "searchindex.js")
    ]
    FIGURES["pages differing between two builds"] = differing
    FIGURES["run-time lines differing"] = run_time_lines
    figures = [name for name in other_files if name.startswith("_images/")]
    FIGURES["figures differing between two builds"] = figures
    assert differing == []
    # (.buildinfo is Sphinx's hash of the configuration, which holds the absolute paths of
    # the environment that built it: nox -s site rebuilds in its own. .buildinfo.bak notes
    # an earlier configuration. Neither is content a reader sees.)
    # zip archives store each file's modification time, so only their contents count
    assert [name for name in other_files if name not in figures] == []


def _published_bytes(site: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                found |= {f"{name}:{member}": archive.read(member) for member in archive.namelist()}
        else:
            found[name] = path.read_bytes()
    return {name: _without_stamp_figures(name, data) for name, data in found.items()}
