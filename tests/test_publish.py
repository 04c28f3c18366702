"""The site's address (site_address.py), what downloads say without the package
(wheel_downloads.py), and the Colab link (colab_link.py), in docs/_ext."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import colab_link
import pytest
import site_address
import wheel_downloads as publish
from sphinx.cmd.build import build_main
from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TWINS = {"en": ("ko", "한국어", "ko/"), "ko": ("en", "English", "../")}


def _package(tmp_path: Path, site_url: str | None):
    wheel = tmp_path / publish.wheel_name("0.1.0")
    wheel.write_bytes(b"not really a wheel")
    return publish.Package(wheel, None, site_url)


def _without_legendre(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` where ``legendre`` cannot be imported: no site-packages at all (-S)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


# -- The public address ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, None),
        ("", None),
        ("https://example.org/legendre/", "https://example.org/legendre/"),
        ("https://example.org/legendre", "https://example.org/legendre/"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/"),
    ],
)
def test_site_url_gets_a_trailing_slash(given, kept):
    assert site_address.check_site_url(given) == kept


@pytest.mark.parametrize(
    "given",
    [
        "example.org/legendre/",
        "ftp://example.org/legendre/",
        "https:///legendre/",
        "https://example.org/legendre/?page=1",
        "https://example.org/legendre/#top",
        'https://example.org/"><script>',
        "javascript:alert(1)",
    ],
)
def test_site_url_that_is_not_an_http_address_is_refused_by_name(given):
    with pytest.raises(ConfigError, match="LEGENDRE_SITE_URL must be the site's public http"):
        site_address.check_site_url(given)


# sphinx-sitemap 2.9.0 (pinned) reads env.app, which Sphinx 11 removes
SITEMAP_ON_SPHINX_9 = pytest.mark.filterwarnings("ignore:.*BuildEnvironment.app' is deprecated")
SITE = "https://example.org/legendre/"
PAGES = {  # a small site: a page of text with math, and one without a paragraph
    "index.rst": "Home\n====\n\nA fit of :math:`\\sin(x)` on :math:`[-\\pi, \\pi]`.\n\n"
    ".. toctree::\n\n   other\n",
    "other.rst": "Other\n=====\n\n.. note:: Only a note.\n",
}


@pytest.fixture
def small_site(tmp_path, make_app):
    """Build ``PAGES`` in ``language`` with the site's address extensions, as conf.py loads them."""

    def build(language: str, site_url: str | None):
        source = write_pages(tmp_path / language)
        extensions = ["notfound.extension", "sphinxext.opengraph", "page_description"]
        extensions += ["sphinx.ext.autodoc", "legendre_korean"]  # which declares language_twins
        extensions += ["site_address"] + (["sphinx_sitemap"] if site_url else [])
        conf = {"extensions": extensions, "language": language, "language_twins": TWINS,
                "legendre_site_url": site_url, "site_description": "The site."}  # fmt: skip
        (source / "conf.py").write_text("")
        app = make_app("html", srcdir=source, confoverrides=conf, freshenv=True)
        app.build()
        return app

    return build


def write_pages(source: Path) -> Path:
    source.mkdir()
    for name, text in PAGES.items():
        (source / name).write_text(text, encoding="utf-8")
    return source


def sitemap(html: Path) -> dict[str, dict[str, str]]:
    """Each page the sitemap in ``html`` lists, with its alternates by language."""
    text = Path(html, "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<url>(.*?)</url>", text)
    return {
        re.search(r"<loc>([^<]+)</loc>", url)[1]: dict(
            re.findall(r'hreflang="(\w+)" href="([^"]+)"', url)
        )
        for url in urls
    }


@SITEMAP_ON_SPHINX_9
@pytest.mark.parametrize(("language", "root"), [("en", ""), ("ko", "ko/")])
def test_each_language_lists_its_pages_with_their_twins_at_its_own_address(
    small_site, language, root
):
    app = small_site(language, SITE.rstrip("/"))  # the trailing slash is added
    assert app.config.html_baseurl == SITE + root
    assert app.config.notfound_urls_prefix == f"/legendre/{root}"
    assert sitemap(app.outdir) == {  # no search, index or 404 page
        f"{SITE}{root}{page}": {"en": SITE + page, "ko": f"{SITE}ko/{page}"}
        for page in ("index.html", "other.html")
    }
    other = Path(app.outdir, "other.html").read_text(encoding="utf-8")
    assert f'<meta property="og:url" content="{SITE}{root}other.html" />' in other


@SITEMAP_ON_SPHINX_9
def test_a_rebuild_of_one_page_still_lists_every_page(tmp_path):
    # Two sphinx-build runs, as `nox -s docs` makes them: the second reads what the
    # first left and writes only the page that changed.
    source, out = write_pages(tmp_path / "source"), tmp_path / "html"
    (source / "conf.py").write_text(
        f"extensions = ['sphinx.ext.autodoc', 'legendre_korean', 'site_address', 'sphinx_sitemap']\n"
        f"language_twins = {TWINS!r}\nlegendre_site_url = {SITE!r}\n",
        encoding="utf-8",
    )
    assert build_main(["-q", "-b", "html", str(source), str(out)]) == 0
    listed = sitemap(out)
    other = (out / "other.html").stat().st_mtime_ns
    home = source / "index.rst"
    home.write_text(home.read_text(encoding="utf-8").replace("A fit", "An edited fit"), "utf-8")
    assert build_main(["-q", "-b", "html", str(source), str(out)]) == 0
    assert "An edited fit" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "other.html").stat().st_mtime_ns == other  # not written again
    every_page = {
        f"{SITE}{page}": {"en": SITE + page, "ko": f"{SITE}ko/{page}"}
        for page in ("index.html", "other.html")
    }
    assert sitemap(out) == listed == every_page


def test_without_an_address_there_is_no_sitemap_and_404_links_start_at_the_host(small_site):
    app = small_site("ko", None)
    assert app.config.notfound_urls_prefix == "/ko/"
    assert not Path(app.outdir, "sitemap.xml").exists()
    assert 'rel="canonical"' not in Path(app.outdir, "index.html").read_text(encoding="utf-8")


def test_a_page_is_described_by_its_first_paragraph_else_by_the_site(small_site):
    app = small_site("en", None)
    index = Path(app.outdir, "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="A fit of sin(x) on [-pi, pi].">' in index
    assert '<meta property="og:description" content="A fit of sin(x) on [-pi, pi]." />' in index
    other = Path(app.outdir, "other.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="The site.">' in other  # a note is no description


def test_a_build_with_a_bad_site_url_fails_and_names_the_variable(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(DOCS), str(tmp_path / "out")],
        env={**os.environ, "LEGENDRE_SITE_URL": "example.org/legendre/"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode != 0
    assert "LEGENDRE_SITE_URL must be the site's public http:// or https:// address" in (
        build.stderr + build.stdout
    )
    assert not (tmp_path / "out" / "index.html").exists()


# -- Downloads without the package --------------------------------------------------------------
def test_setup_cell_without_a_site_url_stops_with_what_to_install(tmp_path):
    cell = publish.setup_cell(_package(tmp_path, None))
    run = _without_legendre(cell, tmp_path)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last == (
        "ModuleNotFoundError: This example needs the legendre package: download "
        "legendre-0.1.0-py3-none-any.whl from the Getting started page of the site this file "
        "came from, then run: python -m pip install legendre-0.1.0-py3-none-any.whl"
    )


def test_setup_cell_does_nothing_when_legendre_is_importable(tmp_path):
    cell = publish.setup_cell(_package(tmp_path, "https://example.org/legendre/"))
    (tmp_path / "legendre.py").write_text("")  # importable from the working folder
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; sys.path.insert(0, ''); " + cell],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.parametrize("site_url", [None, "https://example.org/legendre/"])
def test_guarded_script_without_legendre_prints_the_pip_command(tmp_path, site_url):
    source = '"""Title\n=====\n"""\n\nimport legendre\nprint("ran")\n'
    guarded = publish.guard_script(source, _package(tmp_path, site_url))
    assert guarded.startswith('"""Title\n=====\n"""\n')
    assert publish.guard_script(guarded, _package(tmp_path, site_url)) == guarded
    (tmp_path / "example.py").write_text(guarded)
    run = subprocess.run(
        [sys.executable, "-I", "-S", "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    wheel = (site_url + "dist/" if site_url else "") + "legendre-0.1.0-py3-none-any.whl"
    assert f"python -m pip install {wheel}" in run.stderr


def test_notebook_setup_cell_comes_first_and_only_once(tmp_path):
    package = _package(tmp_path, None)
    notebook = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# T"]}]})
    once = publish.set_up_notebook(notebook, package)
    twice = publish.set_up_notebook(once, package)
    assert once == twice
    cells = json.loads(once)["cells"]
    assert [cell["cell_type"] for cell in cells] == ["code", "markdown"]
    assert "".join(cells[0]["source"]) == publish.setup_cell(package)


def test_a_folded_solution_folds_in_the_notebook_too(tmp_path):
    """The raw-HTML directive around an exercise's solution becomes HTML that Jupyter shows."""
    opening = ".. raw:: html\n\n   <details><summary>Solution</summary>\n\nThe same methods.\n"
    closing = ".. raw:: html\n\n   </details>\n\n## What we learned\n"
    markdown = [
        {"cell_type": "markdown", "metadata": {}, "source": [text]} for text in (opening, closing)
    ]
    notebook = publish.set_up_notebook(json.dumps({"cells": markdown}), _package(tmp_path, None))
    texts = ["".join(cell["source"]) for cell in json.loads(notebook)["cells"][1:]]
    assert texts == [
        "<details><summary>Solution</summary>\n\nThe same methods.\n",
        "</details>\n\n## What we learned\n",
    ]


# -- Open in Colab ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        ("https://github.com/owner/legendre", "owner/legendre"),
        ("https://github.com/owner/legendre/", "owner/legendre"),
        ("https://github.com/owner/legendre.git", "owner/legendre"),
        ("https://gitlab.com/owner/legendre", None),
        (None, None),
    ],
)
def test_colab_opens_notebooks_from_github_only(repository, expected):
    url = colab_link.colab_url(repository, "gh-pages", "ko/_downloads/abc/plot_01.ipynb")
    if expected is None:
        assert url is None
    else:
        assert url == (
            f"https://colab.research.google.com/github/{expected}/blob/gh-pages/"
            "ko/_downloads/abc/plot_01.ipynb"
        )


@pytest.mark.parametrize(("language", "here", "there"), [("en", "/", "/ko/"), ("ko", "/ko/", "/")])
def test_the_404_page_links_home_search_and_the_other_language_from_any_depth(
    small_site, language, here, there
):
    app = small_site(language, None)
    page = Path(app.outdir, "404.html").read_text(encoding="utf-8")
    body = page[page.index("<h1>Page not found</h1>") :]
    links = re.findall(r'<a href="([^"]+)"', body[: body.index("</ul>")])
    assert links == [f"{here}index.html", f"{here}search.html", f"{there}index.html"]
