"""Developer tasks: ``nox -s docs`` builds the site, ``nox -s tests`` runs the tests,
``nox -s site`` checks the built site in a browser.

``nox -l`` lists every session with its one-line description.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # nox.project.dependency_groups
nox.options.default_venv_backend = "venv"  # pip-backed: uv cannot see the local torch wheel
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")

# Pins for every environment nox builds (torch: the CPU wheel on these machines' disk).
CONSTRAINTS = ROOT / "constraints.txt"

DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"
# Doctrees hold absolute machine paths: keep them out of the published folder.
DOCTREES = DOCS / "_build" / "doctrees"
# The Korean site builds from a generated copy of the sources (see docs/translate.py).
KOREAN = DOCS / "_build" / "ko"
# The package's sdist and wheel, built for each site and published inside it.
DIST = DOCS / "_build" / "dist"


def install(session: nox.Session, *groups: str, package: bool = True) -> None:
    """Install dependency groups (and the package) under the pins in constraints.txt."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-c", str(CONSTRAINTS), *requirements, *(["."] if package else []))


def build_package(session: nox.Session) -> Path:
    """Build the sdist and wheel the site publishes, and run the examples with that wheel."""
    shutil.rmtree(DIST, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(DIST), str(ROOT), silent=True)
    (wheel,) = DIST.glob("*.whl")
    session.install("-c", str(CONSTRAINTS), str(wheel))  # its dependencies, torch pinned
    # the same version may be installed already: replace it, so pages show today's source
    session.install("--no-deps", "--force-reinstall", str(wheel))
    return wheel


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite; extra arguments go to pytest (``nox -s tests -- -k fit``)."""
    install(session, "test")
    session.run("pytest", *session.posargs)


def build_site(session: nox.Session, out: Path, *options: str) -> None:
    """Build the English site into ``out`` and the Korean one into ``out/ko``."""
    session.run("python", str(DOCS / "translate.py"), "prepare")  # the Korean sources
    build = [str(Path(session.bin) / "sphinx-build"), "-W", "--keep-going", "-b", "html"]
    build += ["-c", str(DOCS), *options]
    korean = [*build, "-D", "language=ko"]  # served at ko/ (see language_twins in conf.py)
    korean += ["-d", str(KOREAN / "doctrees"), str(KOREAN / "docs")]
    # Each language executes the examples: build both at once, then show the Korean log.
    # (Examples that print timings take turns: see docs/_ext/timing_examples.py.)
    with tempfile.TemporaryFile() as log:
        background = subprocess.Popen([*korean, str(out / "ko")], stdout=log, stderr=log)
        try:
            session.run(*build, "-d", str(DOCTREES), str(DOCS), str(out), external=True)
        finally:
            failed = background.wait()
            log.seek(0)
            print(log.read().decode(errors="replace"))
    if failed:
        session.error("the Korean build failed: its log is above")


@nox.session(reuse_venv=True, default=False)
def docs(session: nox.Session) -> None:
    """Build the English site into docs/_build/html and the Korean one into its ko/ folder."""
    install(session, "docs", package=False)
    build_package(session)
    build_site(session, HTML, *session.posargs)
    session.log(f"Site built: open {HTML / 'index.html'} in a browser (Korean: ko/index.html)")


@nox.session(reuse_venv=True, default=False)
def translations(session: nox.Session) -> None:
    """Refresh docs/locales from the English sources; new messages wait for a translator."""
    install(session, "docs")
    session.run("python", str(DOCS / "translate.py"), "update")


@nox.session(reuse_venv=True, default=False)
def bench(session: nox.Session) -> None:
    """Time every fit(method=...) against the original loop and a C floor (``-- --help``)."""
    install(session, "bench")
    session.run("python", "-m", "legendre.benchmark", *session.posargs)


@nox.session(reuse_venv=True, default=False)
def site(session: nox.Session) -> None:
    """Build the site twice from scratch, then check every page in Chromium, vnu, axe and Lighthouse."""
    install(session, "docs", "site", package=False)
    build_package(session)  # once: both builds publish the same wheel
    # --ignore-scripts: vnu-jar's install script downloads a Java runtime; the system's is used
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                "--prefix", str(ROOT / "tests" / "site"), external=True)  # fmt: skip
    again = Path(session.create_tmp()) / "html"
    for out in (again, HTML):  # clean builds of both languages: nothing is reused
        for stale in (DOCTREES, DOCS / "auto_examples", KOREAN, out):
            shutil.rmtree(stale, ignore_errors=True)
        build_site(session, out, "-q")
    session.run("pytest", "tests/site", *session.posargs, env={"SITE_REBUILD": str(again)})


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """Check style and common bugs with ruff."""
    install(session, "lint", package=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("actionlint")  # the publishing workflows in .github/workflows
