"""The package travels inside the site, and every download installs it from there.

A reader who has only the site must be able to run every download. ``nox -s docs``
builds the package's sdist and wheel into ``docs/_build/dist``; this extension
publishes both in the site's ``dist/`` folder and points every download at them:

* every notebook starts with a setup cell that installs this very wheel, pinned by
  its sha256, when ``legendre`` is missing (:func:`setup_cell`);
* every script stops with the command to run when ``legendre`` is missing
  (:func:`script_guard`), in the downloaded file only, so the pages' code stays clean;
* every zip carries the wheel and a ``requirements.txt`` that names it.

Downloads are rewritten in the output folder when the build finishes, from the copies
Sphinx makes at every build, so they always name the wheel of this very build. Not
sphinx-gallery's ``first_notebook_cell``: it writes the cell only when an example runs,
and the wheel's address and sha256 change without the example running again (a new
``LEGENDRE_SITE_URL``, a rebuilt wheel); it has no hook for scripts or zips either.
"""

from __future__ import annotations

import ast
import email.parser
import hashlib
import io
import json
import re
import shutil
import textwrap
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin

import legendre_stamp
from sphinx.errors import ExtensionError
from sphinx.locale import _

PACKAGE = "legendre"
DIST = "dist"  # the folder of the site, in each language, that holds the sdist and wheel
# Marks the setup cell and the script guard, so that rewriting twice changes nothing.
MARK = "legendre-setup"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # entries this extension adds: the same bytes every build


@dataclass(frozen=True)
class Package:
    """The wheel (and sdist) of this build, and where the site publishes them."""

    wheel: Path
    sdist: Path | None
    site_url: str | None  # this language's public address, if any

    @cached_property  # every notebook names it: hash the wheel once
    def sha256(self) -> str:
        return hashlib.sha256(self.wheel.read_bytes()).hexdigest()

    @cached_property  # every zip lists it: read the wheel's METADATA once
    def requires(self) -> list[str]:
        """The wheel's own requirements (``Requires-Dist``), extras left out."""
        with zipfile.ZipFile(self.wheel) as wheel:
            (name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
            metadata = email.parser.BytesParser().parsebytes(wheel.read(name))
        return [line for line in metadata.get_all("Requires-Dist") or [] if ";" not in line]

    @property
    def url(self) -> str | None:
        """The wheel's public address, or None when the site has none."""
        return public_address(self.site_url, self.wheel.name)

    @property
    def requirement(self) -> str | None:
        """A direct reference that pip installs only if the file's sha256 matches."""
        return f"{PACKAGE} @ {self.url}#sha256={self.sha256}" if self.url else None


def wheel_name(version: str) -> str:
    return f"{PACKAGE}-{version}-py3-none-any.whl"


def public_address(site_url: str | None, name: str) -> str | None:
    """Where a site published at ``site_url`` serves the file ``name`` of its dist/ folder."""
    return urljoin(site_url, f"{DIST}/{name}") if site_url else None


def find_package(dist: Path, version: str, site_url: str | None) -> Package:
    wheel = dist / wheel_name(version)
    if not wheel.is_file():
        raise ExtensionError(
            f"no {wheel.name} in {dist}: the site publishes the package's wheel, which "
            "`nox -s docs` builds first (python -m build --outdir docs/_build/dist)"
        )
    sdist = dist / f"{PACKAGE}-{version}.tar.gz"
    return Package(wheel, sdist if sdist.is_file() else None, site_url)


def public_wheel_url(app) -> str | None:
    return app.legendre_package.url if app.legendre_package else None


def wheel_url(app) -> str:
    """What pip installs: the wheel's public address, or its name without one."""
    return public_wheel_url(app) or wheel_name(app.config.release)


def define_substitutions(app, config) -> None:
    """|wheel| linked to the published wheel (``|wheel|_``), for the pages (Getting started).

    Without a public address the link is relative: right from a page at the site's root.
    Set when the configuration is read, before Sphinx compares it with the last build's:
    set later, the pickled copy would always differ, and every page would be read again.
    """
    name = wheel_name(config.release)
    target = public_address(config.html_baseurl or None, name) or f"{DIST}/{name}"
    config.rst_epilog = (config.rst_epilog or "") + (
        f"\n.. |wheel| replace:: {name}\n.. _wheel: {target}\n"
    )


def fill_wheel_url(app, docname: str, source: list[str]) -> None:
    """Write the wheel's address where a page says ``|wheel_url|``, code blocks included."""
    source[0] = source[0].replace("|wheel_url|", wheel_url(app))


def find_package_for_html(app) -> None:
    app.legendre_package = None
    if app.builder.format == "html":  # gettext and the like publish no downloads
        app.legendre_package = find_package(
            Path(app.config.legendre_dist), app.config.release, app.config.html_baseurl or None
        )


# -- What each download says and does ---------------------------------------------------
def setup_cell(package: Package) -> str:
    """The first cell of every notebook: installs this build's wheel unless legendre is there."""
    lines = [
        f"# {MARK}: " + _("installs the legendre package, unless it is installed already"),
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        'if importlib.util.find_spec("legendre") is None:',
    ]
    if package.requirement:
        lines += [
            "    # "
            + _("pip refuses any file whose sha256 differs from the one built with this page"),
            f"    wheel = {package.requirement!r}",
            '    subprocess.run([sys.executable, "-m", "pip", "install", wheel], check=True)',
            "    importlib.invalidate_caches()",
        ]
    else:
        lines.append(f"    raise ModuleNotFoundError({missing_message(package)!r})")
    return "\n".join(lines)


def missing_message(package: Package) -> str:
    """One sentence: what to install, and from where."""
    if package.url:
        return _("This example needs the legendre package; install it with: {command}").format(
            command=f"python -m pip install {package.url}"
        )
    return _(
        "This example needs the legendre package: download {wheel} from the Getting started "
        "page of the site this file came from, then run: python -m pip install {wheel}"
    ).format(wheel=package.wheel.name)


def script_guard(package: Package) -> str:
    """Lines that stop a downloaded script with the install command when legendre is missing."""
    return "\n".join(
        [
            f"# {MARK}: " + _("say how to install the legendre package when it is missing"),
            "try:",
            "    import legendre  # noqa: F401",
            "except ModuleNotFoundError:",
            f"    raise SystemExit({missing_message(package)!r}) from None",
            "",
            "",
        ]
    )


def guard_script(source: str, package: Package) -> str:
    """The script with :func:`script_guard` after its docstring (and __future__ imports)."""
    if MARK in source:
        return source
    lines = source.splitlines(keepends=True)
    start = 0
    for node in ast.parse(source).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring and start == 0) and not future:
            break
        start = node.end_lineno
    return "".join(lines[:start]) + "\n" + script_guard(package) + "".join(lines[start:])


# A reST raw-HTML block (an exercise's folded solution): Jupyter's markdown takes the
# HTML itself, so a notebook folds the solution too, without the directive's line.
RAW_HTML = re.compile(r"^\.\. raw:: html\n\n((?:   .*\n?)+)", re.MULTILINE)


def set_up_notebook(text: str, package: Package, proof: dict | None = None) -> str:
    """The notebook with :func:`setup_cell` as its first cell (replacing an older one).

    ``proof`` goes into the notebook's metadata as ``"legendre"``: what the page's
    output ran on (docs/_ext/legendre_stamp.py) and which of its figures the build
    checked (docs/_ext/legendre_references.py).
    """
    notebook = json.loads(text)
    if proof:
        notebook["metadata"]["legendre"] = proof
    cells = [cell for cell in notebook["cells"] if MARK not in "".join(cell["source"])]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text = RAW_HTML.sub(lambda m: textwrap.dedent(m[1]), "".join(cell["source"]))
            cell["source"] = text.splitlines(keepends=True)
    source = setup_cell(package).splitlines(keepends=True)
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    notebook["cells"] = [{**cell, "source": source}, *cells]
    return json.dumps(notebook, indent=2) + "\n"


def requirements(package: Package) -> str:
    """requirements.txt: what the wheel requires (so the two agree), and matplotlib."""
    return "\n".join(
        [
            "# " + _("Everything these examples need: python -m pip install -r requirements.txt"),
            *package.requires,
            "matplotlib",
            f"./{package.wheel.name}",
            "",
        ]
    )


def rewrite_zip(path: Path, package: Package, proofs: dict[str, dict]) -> None:
    """Guard the scripts, set up the notebooks, and add the wheel and requirements.txt."""
    extra = {package.wheel.name: package.wheel.read_bytes(), "requirements.txt": None}
    extra["requirements.txt"] = requirements(package).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in extra:
                continue
            data = old.read(info)
            if info.filename.endswith(".py"):
                data = guard_script(data.decode(), package).encode()
            elif info.filename.endswith(".ipynb"):
                proof = proofs.get(Path(info.filename).stem)
                data = set_up_notebook(data.decode(), package, proof).encode()
            new.writestr(info, data, zipfile.ZIP_DEFLATED)
        for name, data in extra.items():
            new.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())


def publish_package(app, exception) -> None:
    """Copy the sdist and wheel into the site and point every download at the wheel."""
    package = getattr(app, "legendre_package", None)
    if exception is not None or package is None:
        return
    dist = Path(app.outdir, DIST)
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    for built in (package.wheel, package.sdist):
        if built:
            shutil.copyfile(built, dist / built.name)
    proofs = notebook_proofs(app)
    for path in sorted(Path(app.outdir, "_downloads").glob("*/*")):
        if path.suffix == ".py":
            path.write_text(guard_script(path.read_text("utf-8"), package), "utf-8")
        elif path.suffix == ".ipynb":
            notebook = set_up_notebook(path.read_text("utf-8"), package, proofs.get(path.stem))
            path.write_text(notebook, "utf-8")
        elif path.suffix == ".zip":
            rewrite_zip(path, package, proofs)


def notebook_proofs(app) -> dict[str, dict]:
    """Each example's stamp and checked figures, by its file stem, for its notebooks."""
    stamps = legendre_stamp.stamps(app)
    checked = getattr(app, "legendre_reference_summaries", {})
    proofs: dict[str, dict] = {}
    for stem in sorted(stamps.keys() | checked.keys()):
        if stem in stamps:
            proofs.setdefault(stem, {})["output_on_the_page_made_with"] = stamps[stem]
        if stem in checked:
            proofs.setdefault(stem, {})["figures_checked_on_the_page"] = checked[stem]
    return proofs


def setup(app):
    app.setup_extension("site_address")  # html_baseurl, from which the wheel's address comes
    app.add_config_value("legendre_dist", "", "html", types=frozenset({str}))
    # after site_address.configure_address (priority 500): its base URL
    app.connect("config-inited", define_substitutions, priority=600)
    app.connect("builder-inited", find_package_for_html)
    app.connect("source-read", fill_wheel_url)
    app.connect("build-finished", publish_package)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
