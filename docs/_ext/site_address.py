"""The site's public address (``LEGENDRE_SITE_URL``), and what each language derives from it.

One address, such as ``https://example.org/legendre/``, serves the English site at its
root and the Korean one at ``ko/`` (``language_twins`` in ``conf.py``). From it each
language gets ``html_baseurl`` (canonical links), the 404 page's link prefix
(``sphinx-notfound-page``), the ``og:url`` of its pages (``sphinxext-opengraph``) and a
``sitemap.xml`` listing each page with its twin (``sphinx-sitemap``, which ``conf.py``
loads only with an address: a sitemap needs absolute links). Without an address the 404
page links from the host's root, which is right when the site is served there.

The 404 page is served at any missing address, at any depth: its links (home, search,
the other language) are absolute, and its words come from the theme catalog
(``sphinx-notfound-page``'s own are English and in no catalog).
"""

from __future__ import annotations

import queue
import re
from urllib.parse import urljoin, urlsplit

from sphinx.errors import ConfigError
from sphinx.locale import _
from theme_messages import N_

# The 404 page's words, translated in locales/<language>/LC_MESSAGES/sphinx.po
NOT_FOUND = N_("Page not found")
NOT_FOUND_TEXT = N_("Unfortunately we couldn't find the content you were looking for.")
GO_HOME = N_("Go to the home page")
GO_SEARCH = N_("Search the site")

#: Pages that are not content, left out of the sitemap.
NOT_IN_SITEMAP = ["404.html", "genindex.html", "py-modindex.html", "search.html", "_modules/*"]


def check_site_url(value: str | None) -> str | None:
    """The site's address with a trailing slash, or None; anything but http(s) is refused."""
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
        or re.search(r"[\s\"'<>]", value)
    ):
        raise ConfigError(
            "LEGENDRE_SITE_URL must be the site's public http:// or https:// address, "
            f"such as https://example.org/legendre/; got {value!r}"
        )
    return value if value.endswith("/") else value + "/"


def language_root(config) -> str:
    """Where this language's pages lie under the site's root: "" for English, "ko/"."""
    if config.language in (None, "en"):
        return ""
    return config.language_twins["en"][2]


class SitemapScheme(str):
    """sphinx-sitemap's ``sitemap_url_scheme`` for a site whose English pages lie at its root.

    sphinx-sitemap puts every language under a folder of its code (``{lang}`` is ``en/``,
    ``ko/``); here only the other languages have one (``language_twins``).
    """

    def __new__(cls, roots: dict[str, str]):
        scheme = super().__new__(cls, "{lang}{link}")
        scheme.roots = roots
        return scheme

    def __reduce__(self):  # Sphinx pickles the configuration with the environment
        return (SitemapScheme, (self.roots,))

    def format(self, *, lang: str, link: str, **unused: str) -> str:
        return self.roots[lang.rstrip("/")] + link


def configure_address(app, config) -> None:
    """Derive this language's addresses from the site's one."""
    config.legendre_site_url = check_site_url(config.legendre_site_url)
    root = language_root(config)
    if not config.legendre_site_url:
        config.notfound_urls_prefix = "/" + root
        return
    config.html_baseurl = urljoin(config.legendre_site_url, root)
    config.notfound_urls_prefix = urlsplit(config.html_baseurl).path
    config.ogp_site_url = config.html_baseurl


def absolute_root(config, language: str) -> str:
    """The path of a language's root on the host, such as ``/legendre/ko/``."""
    # this language's, set by configure_address
    here = getattr(config, "notfound_urls_prefix", None) or "/" + language_root(config)
    site = here[: len(here) - len(language_root(config))]
    return site + ("" if language == "en" else config.language_twins["en"][2])


def not_found_page(app) -> None:
    """The 404 page: what happened, and links home, to search and to the other language."""
    config = app.config
    here = absolute_root(config, config.language or "en")
    links = [f'<li><a href="{here}index.html">{_(GO_HOME)}</a></li>',
             f'<li><a href="{here}search.html">{_(GO_SEARCH)}</a></li>']  # fmt: skip
    if (config.language or "en") in config.language_twins:
        code, name, _root = config.language_twins[config.language or "en"]
        twin = absolute_root(config, code)
        links.append(
            f'<li><a href="{twin}index.html" hreflang="{code}" lang="{code}">{name}</a></li>'
        )
    title = _(NOT_FOUND)
    config.notfound_context = {
        "title": title,
        "body": f"<h1>{title}</h1>\n\n<p>{_(NOT_FOUND_TEXT)}</p>\n<ul>{''.join(links)}</ul>",
    }


def configure_sitemap(app) -> None:
    """sphinx-sitemap: each page at its language's root, with its twin in the other.

    Set once the configuration is checked, which wants a plain ``str`` for the scheme.
    """
    config = app.config
    if config.legendre_site_url:
        twin, _name, twin_root = config.language_twins["en"]
        roots = {"en": "", twin: twin_root}
        config.site_url = config.legendre_site_url
        config.sitemap_url_scheme = SitemapScheme(roots)
        config.sitemap_locales = sorted(roots)
        config.sitemap_excludes = NOT_IN_SITEMAP


def list_every_page(app, exception) -> None:
    """Queue for sphinx-sitemap the pages this build left as they were, then sort the queue.

    sphinx-sitemap lists only the pages a build writes (its open issue #13), so a
    rebuild after a small edit would publish a sitemap of that one page. Connected
    before sphinx-sitemap's own ``build-finished`` handler, which writes the queue.
    """
    links = getattr(app, "sitemap_links", None)  # sphinx-sitemap's queue, when it is loaded
    if links is None or exception is not None:
        return
    from sphinx_sitemap import is_excluded

    queued = {}
    while True:
        try:
            link, last_updated = links.get_nowait()
        except queue.Empty:
            break
        queued[link] = last_updated
    suffix = app.config.html_file_suffix or ".html"
    for docname in app.env.found_docs:
        link = docname + suffix
        if link not in queued and not is_excluded(link, app.config.sitemap_excludes):
            queued[link] = None
    for link in sorted(queued):  # the same file, whichever pages this build wrote
        links.put((link, queued[link]))


def setup(app):
    app.add_config_value("legendre_site_url", None, "html", types=frozenset({str, type(None)}))
    app.connect("config-inited", configure_address)
    app.connect("builder-inited", configure_sitemap)
    app.connect("builder-inited", not_found_page)
    app.connect("build-finished", list_every_page, priority=400)  # sphinx-sitemap's is 500
    return {"parallel_read_safe": True, "parallel_write_safe": True}
