"""What a reader expects of the site: search, copy buttons, a 404 page, source links."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2
import pytest
import view_source
from sitecheck import FIGURES, LAPTOP, ROOT, TUTORIAL, html_pages, opened

DOCS = ROOT / "docs"


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def test_search_box_finds_the_tutorial(page, base_url):
    page.goto(f"{base_url}/index.html")
    page.fill("input.sidebar-search", "autograd Function")
    page.press("input.sidebar-search", "Enter")
    page.wait_for_selector("#search-results .search-summary")
    page.wait_for_function("!document.querySelector('#search-results .search-summary')"
                           ".textContent.includes('Searching')")  # fmt: skip
    hits = page.eval_on_selector_all("ul.search li a", "links => links.map(a => a.href)")
    assert f"{base_url}/{TUTORIAL}" in {hit.split("?")[0] for hit in hits}, hits
    FIGURES["search hits for 'autograd Function'"] = len(hits)


def test_missing_pages_get_a_styled_404_page_with_a_way_home(browser, base_url):
    # not the `page` fixture: Chromium logs the 404 status itself as a console error
    page = browser.new_context().new_page()
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    response = page.goto(f"{base_url}/no/such/deep/page.html")
    assert response.status == 404
    assert "Page not found" in page.title()
    assert failed == [response.url], "the 404 page's own styles or scripts are missing"
    page.click("a.sidebar-brand")
    assert page.url == f"{base_url}/index.html"


@pytest.mark.parametrize(
    ("path", "modes"),
    [
        ("index.html", ["Auto light/dark, in light mode", "Dark mode", "Light mode"]),
        ("ko/index.html", ["자동 테마 (지금은 밝은 테마)", "어두운 테마", "밝은 테마"]),
    ],
)
def test_the_theme_toggle_says_which_mode_is_on(browser, base_url, path, modes):
    """furo's label alone never says it (docs/_static/site/legendre-theme.js)."""
    with opened(browser, f"{base_url}/{path}", color_scheme="light", viewport=LAPTOP) as page:
        toggle = page.locator(".theme-toggle-content button.theme-toggle")
        names = []
        for _mode in modes:  # auto, then furo's turn on a light system: dark, then light
            names.append(toggle.get_attribute("aria-label"))
            toggle.click()
    assert [name.split(": ", 1)[0] for name in names] == modes, names
    assert len({name.split(": ", 1)[1] for name in names}) == 1, names  # then furo's label


def test_code_blocks_have_a_working_copy_button(browser, base_url):
    clipboard = ["clipboard-read", "clipboard-write"]
    with opened(browser, f"{base_url}/{TUTORIAL}", permissions=clipboard) as page:
        buttons = page.locator("button.copybtn")
        assert buttons.count() >= 5
        block = page.locator("div.highlight-Python").first
        block.hover()
        block.locator("button.copybtn").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == block.locator("pre").inner_text().rstrip(
            "\n"
        ) + "\n" or copied.strip() == (block.locator("pre").inner_text().strip()), copied


# -- "View source": present with a repository, absent without ----------------------
CONFIG = SimpleNamespace(
    sphinx_gallery_conf={"gallery_dirs": "auto_examples", "examples_dirs": "../examples"},
    legendre_repository_branch="main",
)
REPOSITORY = "https://github.com/example/legendre"


@pytest.mark.parametrize(
    ("pagename", "path"),
    [
        ("index", "docs/index.rst"),
        ("api", "docs/api.rst"),
        ("auto_examples/index", "examples/GALLERY_HEADER.rst"),
        ("auto_examples/core/index", "examples/core/GALLERY_HEADER.rst"),
        ("auto_examples/core/plot_01_custom_function", "examples/core/plot_01_custom_function.py"),
        ("auto_examples/further/plot_09_any_degree", "examples/further/plot_09_any_degree.py"),
        ("genindex", None),
        ("search", None),
        ("404", None),
    ],
)
def test_source_link_points_at_the_file_in_the_repository(pagename, path):
    url = view_source.source_url(REPOSITORY, pagename, DOCS, CONFIG)
    assert url == (None if path is None else f"{REPOSITORY}/blob/main/{path}")
    assert view_source.source_url(None, pagename, DOCS, CONFIG) is None
    if path:
        assert (ROOT / path).is_file()


def test_every_page_with_a_source_maps_to_a_tracked_file(site):
    for page in html_pages(site):
        url = view_source.source_url(REPOSITORY, page.removesuffix(".html"), DOCS, CONFIG)
        if url:
            assert (ROOT / url.split("/blob/main/", 1)[1]).is_file(), page


def test_source_link_must_be_an_https_url():
    with pytest.raises(ValueError, match="legendre_repository_url must be an https:// URL"):
        view_source.source_url('javascript:alert("x")', "index", DOCS, CONFIG)


@pytest.mark.parametrize("url", [None, f"{REPOSITORY}/blob/main/docs/index.rst"])
def test_source_button_is_rendered_only_with_a_url(url):
    template = (DOCS / "_templates" / "components" / "view-this-page.html").read_text()
    html = jinja2.Environment(autoescape=True).from_string(template).render(source_url=url, _=str)
    if url is None:
        assert html.strip() == ""
    else:
        assert f'href="{url}"' in html
        assert "View the source of this page" in html
