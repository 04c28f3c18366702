"""Developer tasks: ``nox -s docs`` builds the site, ``nox -s tests`` runs the tests,
``nox -s site`` checks the built site in a browser.

``nox -l`` lists every session with its one-line description.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
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
# The public address of a build that is given none: where tests/test_reader.py serves it.
LOCAL_ADDRESS = "http://127.0.0.1:8765/"
# The example `nox -s site` runs again to see that a run repeats its output (quick, with a figure)
RERUN = "plot_01_custom_function"
# The Korean site builds from a generated copy of the sources (see tools/translate.py).
KOREAN = DOCS / "_build" / "ko"
# The package's sdist and wheel, built for each site and published inside it.
DIST = DOCS / "_build" / "dist"
# What a site is built from (less what its build writes there), and the record of the
# last whole build of both languages into HTML: its settings, dated when it started.
BUILD_INPUTS = ("docs", "examples", "legendre", "tools", "pyproject.toml", "constraints.txt")
BUILD_OUTPUTS = {"_build", "auto_examples", "gen_modules", "__pycache__"}
BUILT = DOCS / "_build" / "built.json"


def install(session: nox.Session, *groups: str, package: bool = True) -> None:
    """Install dependency groups (and the package) under the pins in constraints.txt."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-c", str(CONSTRAINTS), *requirements, *(["."] if package else []))


def build_package(session: nox.Session) -> bool:
    """Build the sdist and wheel the site publishes, and run the examples with that wheel.

    Returns False under ``--install-only``, which installs the package's dependencies
    and leaves the published files as they are.
    """
    DIST.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DIST.parent) as fresh:
        # no isolation: hatchling comes with the docs group, so a rebuild neither waits for
        # nor needs the network (the release workflow builds isolated; the bytes are the same)
        build = ["python", "-m", "build", "--no-isolation", "--outdir", fresh, str(ROOT)]
        if session.run(*build, silent=True) is None:  # --install-only: nothing was built
            session.install("-c", str(CONSTRAINTS), str(ROOT))  # the package's dependencies
            return False
        shutil.rmtree(DIST, ignore_errors=True)
        shutil.copytree(fresh, DIST)
    return install_package(session)


def install_package(session: nox.Session) -> bool:
    """Install the wheel in DIST; False under ``--install-only`` (nothing else runs)."""
    (wheel,) = DIST.glob("*.whl")
    session.install("-c", str(CONSTRAINTS), str(wheel))  # its dependencies, torch pinned
    # Replace the installed copy even at the same version, and even under `nox -R`
    # (which skips session.install): the pages must run today's source.
    reinstall = ["python", "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall"]
    return session.run(*reinstall, str(wheel)) is not None


@nox.session(reuse_venv=True)  # pip still reinstalls the package from the source each run
def tests(session: nox.Session) -> None:
    """Run the test suite; extra arguments go to pytest (``nox -s tests -- -k fit``).

    The test files run side by side, one worker per CPU (``-- -n0`` for one process, as
    ``--pdb`` needs); a file's tests stay together, for the fixtures they share.
    """
    install(session, "test")
    session.run("pytest", "-n", "auto", "--dist", "loadfile", *session.posargs)


def chosen_languages(session: nox.Session) -> set[str]:
    """``LEGENDRE_LANGUAGES=en`` (or ``ko``) builds one language only, for a quicker loop."""
    languages = set(os.environ.get("LEGENDRE_LANGUAGES", "en ko").replace(",", " ").split())
    if not languages or languages - {"en", "ko"}:
        session.error(f"LEGENDRE_LANGUAGES names en, ko or both, not {sorted(languages)}")
    return languages


def build_site(
    session: nox.Session,
    out: Path,
    *options: str,
    languages: frozenset = frozenset({"en", "ko"}),
    doctrees: tuple[Path, Path] = (DOCTREES, KOREAN / "doctrees"),
) -> None:
    """Build the English site into ``out`` and the Korean one into ``out/ko``."""
    build = [str(Path(session.bin) / "sphinx-build"), "-W", "--keep-going", "-b", "html"]
    build += ["-c", str(DOCS), *options]
    english = [*build, "-d", str(doctrees[0]), str(DOCS), str(out)]
    # Every build has a public address; without one of yours, this machine's loopback, where
    # tests/test_reader.py serves the site to a reader (your address: LEGENDRE_SITE_URL)
    env = {"LEGENDRE_SITE_URL": os.environ.get("LEGENDRE_SITE_URL", LOCAL_ADDRESS)}
    if out == HTML:  # a build that fails or stops half-way leaves no record
        BUILT.unlink(missing_ok=True)
        started = time.time()
    if "ko" not in languages:
        session.run(*english, env=env, external=True)
        return
    if not session.run("python", str(ROOT / "tools" / "translate.py"), "prepare"):
        return  # --install-only: the Korean build below is not a nox command; skip it too
    korean = [*build, "-D", "language=ko"]  # served at ko/ (see language_twins in conf.py)
    korean += ["-d", str(doctrees[1]), str(KOREAN / "docs"), str(out / "ko")]
    # Each language executes the examples: build both at once, then show the Korean log.
    # (Examples that print timings take turns: see docs/_ext/timing_examples.py.)
    if "en" not in languages:
        session.run(*korean, env=env, external=True)
        return
    with tempfile.TemporaryFile() as log:
        background = subprocess.Popen(korean, stdout=log, stderr=log, env={**os.environ, **env})
        try:
            session.run(*english, env=env, external=True)
        finally:
            failed = background.wait()
            log.seek(0)
            print(log.read().decode(errors="replace"))
    if failed:
        session.error("the Korean build failed: its log is above")
    if out == HTML:
        BUILT.write_text(json.dumps(build_settings(), indent=1) + "\n")
        os.utime(BUILT, (started, started))


def build_settings() -> dict[str, str]:
    """The settings a build of both languages reads from the environment (see conf.py)."""
    settings = {"LEGENDRE_SITE_URL": LOCAL_ADDRESS}
    settings |= {key: value for key, value in os.environ.items() if key.startswith("LEGENDRE_")}
    settings.pop("LEGENDRE_LANGUAGES", None)  # nox's choice, not the build's: it built both
    return dict(sorted(settings.items()))


def site_is_current() -> bool:
    """Whether HTML holds a whole build with today's settings, begun after every source changed.

    The record of that build is BUILT (see :func:`build_site`). A source edited while
    the build ran is newer than its record; so is one that git checked out since.
    """
    try:
        if json.loads(BUILT.read_text()) != build_settings():
            return False
        built = BUILT.stat().st_mtime
    except (FileNotFoundError, ValueError):
        return False
    for path in (ROOT / name for name in BUILD_INPUTS):
        files = [path.name] if path.is_file() else []  # a missing source is no newer
        walk = os.walk(path) if path.is_dir() else [(path.parent, [], files)]
        for folder, subfolders, files in walk:
            subfolders[:] = [sub for sub in subfolders if sub not in BUILD_OUTPUTS]
            for file in files:
                if not file.endswith(".mo") and os.stat(Path(folder, file)).st_mtime > built:
                    return False  # (.mo: compiled from the catalogs by the build)
    return True


@nox.session(reuse_venv=True, default=False)
def docs(session: nox.Session) -> None:
    """Build the English site into docs/_build/html and the Korean one into its ko/ folder."""
    install(session, "docs", package=False)
    if not build_package(session):
        return  # --install-only: nothing is built
    build_site(session, HTML, *session.posargs, languages=chosen_languages(session))
    session.log(f"Site built: open {HTML / 'index.html'} in a browser (Korean: ko/index.html)")


@nox.session(reuse_venv=True, default=False)
def serve(session: nox.Session) -> None:
    """Preview the English site on http://127.0.0.1:8000, rebuilt when a source changes."""
    install(session, "docs", "serve", package=False)
    build_package(session)  # the site publishes a wheel; the preview runs the source itself
    session.run("python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT))
    session.run(
        "sphinx-autobuild", "-c", str(DOCS), str(DOCS), str(DOCS / "_build" / "preview"),
        "-d", str(DOCS / "_build" / "preview-doctrees"),
        "--watch", str(ROOT / "examples"), "--watch", str(ROOT / "legendre"),
        # what the build itself writes into the sources must not start another build
        "--ignore", str(DOCS / "auto_examples"), "--ignore", str(DOCS / "_build"),
        *session.posargs,
    )  # fmt: skip


@nox.session(reuse_venv=True, default=False)
def translations(session: nox.Session) -> None:
    """Refresh docs/locales from the English sources; new messages wait for a translator."""
    install(session, "docs")
    session.run("python", str(ROOT / "tools" / "translate.py"), "update")


@nox.session(reuse_venv=True, default=False)
def bench(session: nox.Session) -> None:
    """Time every fit(method=...) against the original loop and a C floor; check the targets."""
    install(session, "bench")
    # `python -m legendre.benchmark` (same options, ``-- --help``), then whether the
    # project's performance targets are met
    session.run("python", "-m", "legendre.benchmark.targets", *session.posargs)


@nox.session(reuse_venv=True, default=False)
def site(session: nox.Session) -> None:
    """Check the site `nox -s docs` built in Chromium, vnu, axe and Lighthouse, and rebuild it."""
    install(session, "docs", "site", package=False)
    # --ignore-scripts: vnu-jar's install script downloads a Java runtime; the system's is used
    session.run_install("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--prefix", str(ROOT / "tests" / "site"), external=True)  # fmt: skip
    # The docs build, brought up to date; left as it is when `nox -s docs` just made it, so
    # that nothing reading it meanwhile (`nox -s tests`) meets a file being written again.
    if site_is_current():
        session.log(f"The site in {HTML} is up to date: checking it as it is")
        if not install_package(session):
            return  # --install-only
    else:
        session.log(f"The site in {HTML} is older than its sources: building it again")
        if not build_package(session):
            return  # --install-only
        build_site(session, HTML, "-q")
    # Then a second build of every English page, from scratch but for the examples'
    # outputs, which sphinx-gallery keeps: one example runs again. tests/site/test_files.py
    # compares the two builds. (One language is enough: the Korean build runs the same
    # code on translated sources.)
    record = DOCS / "auto_examples" / "core" / f"{RERUN}.py.md5"
    if not record.is_file():
        session.error(f"no record of {RERUN}'s run at {record}: run `nox -s docs` first")
    record.unlink()
    # Chromium's singleton socket lives in TMPDIR, whose path may hold 107 characters at
    # most: a short folder of the system's, not one under .nox/ (session.create_tmp)
    scratch = Path(tempfile.mkdtemp(prefix="legendre-site-"))
    try:
        again = scratch / "html"
        build_site(session, again, "-q", languages=frozenset({"en"}),
                   doctrees=(scratch / "en", scratch / "ko"))  # fmt: skip
        env = {"SITE_REBUILD": str(again), "TMPDIR": str(scratch)}
        # one worker per CPU, a file's tests together (they share a page's visit), but
        # test_pages' pages spread (tests/site/conftest.py)
        session.run("pytest", "-n", "auto", "--dist", "loadfile", "tests/site",
                    *session.posargs, env=env)  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# The tests of the package itself (the others check the site and its tooling)
PACKAGE_TESTS = [
    f"tests/test_{name}.py"
    for name in (
        "benchmark", "checks", "device", "exercises", "functions", "legendre_polynomial",
        "methods", "perf_targets", "torch_limits", "trainer",
    )
]  # fmt: skip


@nox.session(default=False)
def compat(session: nox.Session) -> None:
    """Run the package tests and every example on another torch: ``nox -s compat -- 2.14.1``.

    A fresh environment each time, with that torch and the package installed from its
    wheel; each example runs as its downloaded notebook, from an empty folder, and gets a
    verdict (tests/compat.py). ``-- newest`` takes the newest torch pip finds; ``-- 2.4.1
    --tests-only`` skips the examples; ``-- 2.14.1 03 07`` runs only those two.
    .github/workflows/compat.yml runs it for the floor, 2.6, 2.7 and the newest torch; every other
    session, and .ci/run, stays on the torch pinned in constraints.txt.
    """
    version, *rest = session.posargs or [""]
    if not re.fullmatch(r"\d+\.\d+\.\d+|newest", version):
        session.error("name a torch release or 'newest': nox -s compat -- 2.14.1 [--tests-only]")
    tmp = Path(session.create_tmp())
    # constraints.txt without its torch pin
    pins = tmp / "constraints.txt"
    kept = [line for line in CONSTRAINTS.read_text().splitlines() if not line.startswith("torch")]
    pins.write_text("\n".join(kept) + "\n")
    # A machine-wide pip constraint (pip.conf's `constraint`, e.g. a cap on torch) would
    # silently hold back the torch asked for; the variable outranks any config file.
    session.env["PIP_CONSTRAINT"] = str(pins)
    torch = ["torch"] if version == "newest" else [f"torch=={version}"]
    if version != "newest" and tuple(map(int, version.split(".")[:2])) < (2, 3):
        torch.append("numpy<2")  # torch before 2.3 was built against NumPy 1
    requirements = nox.project.dependency_groups(PYPROJECT, "test")
    session.install("-c", str(pins), "--upgrade", *torch, *requirements)
    session.install("-c", str(pins), "build>=1.2", "hatchling>=1.24")
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dist),
                str(ROOT), silent=True)  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    session.install("--no-deps", "--force-reinstall", str(wheel))
    # The package tests import the installed wheel (pytest puts tests/, not the
    # checkout, on sys.path); from an empty folder, so does Python itself.
    where = "import legendre, torch; print('torch', torch.__version__, 'and', legendre.__file__)"
    with session.chdir(tmp):
        session.run("python", "-c", where)
    failed = []
    try:
        session.run("pytest", "-p", "no:cacheprovider", *PACKAGE_TESTS)
    except nox.command.CommandFailed:
        failed.append(f"the package tests failed on torch {version}")
    if rest != ["--tests-only"]:
        report = tmp / f"torch-{version}.md"
        env = {"MPLBACKEND": "agg", "LEGENDRE_DEVICE": "cpu"}
        try:
            session.run("python", str(ROOT / "tests" / "compat.py"), str(report), *rest, env=env)
        except nox.command.CommandFailed:
            failed.append(f"examples failed or changed their claims on torch {version}")
    if failed:
        session.error(" and ".join(failed))


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """Check the code: ruff, mypy (strict), actionlint and zizmor (the workflows), ESLint and
    stylelint (the site's JavaScript and CSS)."""
    install(session, "lint", "typecheck", package=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")  # configured in pyproject.toml; its cache keeps a rerun fast
    session.run("actionlint")  # the publishing workflows in .github/workflows
    # zizmor, the Actions security linter (pinned in constraints.txt), at its strictest
    # persona: a finding is fixed, or ignored in place with its reason. With GH_TOKEN or
    # GITHUB_TOKEN set it also runs its online audits; here, without one, it runs offline,
    # which leaves out four: impostor-commit (a pinned SHA that lives only in a fork),
    # ref-version-mismatch and stale-action-refs (a SHA that is not the tag its comment
    # names), known-vulnerable-actions (an advisory published after the pin). The first
    # three were checked when each SHA was written, against the action's own repository;
    # ref-confusion (a tag and a branch of one name) cannot touch a SHA pin; and
    # .github/workflows/audit.yml runs all of them on GitHub every week and on every change.
    session.run("zizmor", "--persona=auditor", "--no-progress", ".github/workflows")
    # The site's own JavaScript: ESLint, pinned in tests/lint/package.json, installed
    # again only when its lock file is newer than the copy npm ci leaves in node_modules
    js = ROOT / "tests" / "lint"
    lock, installed = js / "package-lock.json", js / "node_modules" / ".package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(js))
    eslint = js / "node_modules" / "eslint" / "bin" / "eslint.js"
    session.run(
        "node", str(eslint), "-c", str(js / "eslint.config.mjs"), "docs/_static/site", "docs/_ext"
    )
    # and its stylesheets: stylelint, pinned beside ESLint (a block left open, a rule in a rule)
    stylelint = js / "node_modules" / "stylelint" / "bin" / "stylelint.mjs"
    session.run("node", str(stylelint), "-c", str(js / "stylelint.config.mjs"),
                "docs/_static/site/*.css")  # fmt: skip
