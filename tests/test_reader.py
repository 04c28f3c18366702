"""A reader who has only the site: every download runs in a fresh environment.

The site must have been built with its public address on this machine's loopback:
``nox -s docs`` gives it ``http://127.0.0.1:8765/`` unless ``LEGENDRE_SITE_URL`` names
another. These tests serve that very
build at that address, make a virtual environment with only torch (pinned by
constraints.txt), matplotlib and a Jupyter kernel, and run what they fetch over HTTP
from an empty folder, as a reader would: the package comes from the site's wheel.

The tutorial runs here in both languages; every other notebook is checked for what it needs
from the reader's environment (each import must resolve there), since the docs build has just
run its code. The compat workflow (``nox -s compat``) runs every notebook this way, on the
oldest and the newest torch.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import catalogs
import pytest
import translate
from example_filter import example_pages

pytestmark = pytest.mark.docs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = example_pages(ROOT / "examples")
TUTORIAL = "core/plot_01_custom_function"
KERNEL = "legendre-reader"


# -- The site, served where it says it lives -------------------------------------------
class _Handler(SimpleHTTPRequestHandler):
    """Serves the site under the path of its public address, and notes every request."""

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        prefix = self.server.prefix
        if not path.startswith(prefix):
            return str(Path(self.directory) / "__not_in_the_site__")
        return super().translate_path("/" + path[len(prefix) :])

    def do_GET(self) -> None:
        self.server.requested.append(urlsplit(self.path).path)
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(site_address: str | None) -> str:
    """The public address the site was built with, when it is this machine's loopback."""
    hint = "build it again with `nox -R -s docs`, LEGENDRE_SITE_URL unset"
    if site_address is None:
        pytest.fail(f"the site was built without a public address: {hint}")
    url = site_address
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "localhost"}:
        pytest.fail(f"the site's address {url} is not on this machine: {hint}")
    return url


@pytest.fixture(scope="module")
def server(site: Path, site_url: str):
    parts = urlsplit(site_url)
    try:
        httpd = ThreadingHTTPServer(
            (parts.hostname, parts.port or 80), partial(_Handler, directory=str(site))
        )
    except OSError as error:
        pytest.fail(f"cannot serve the site at {site_url}: {error}")
    httpd.prefix, httpd.requested = parts.path, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def download_link(page_url: str, suffix: str) -> str:
    """The absolute address of the download a page offers with this suffix."""
    page = fetch(page_url).decode()
    links = re.findall(r'class="reference download internal" download="" href="([^"]+)"', page)
    (link,) = [link for link in links if link.endswith(suffix)]
    return urljoin(page_url, link)


# -- The reader's environment: torch, matplotlib and a kernel; no legendre ---------------
class Reader:
    def __init__(self, folder: Path) -> None:
        self.venv = folder / "venv"
        bin_dir = "Scripts" if os.name == "nt" else "bin"
        self.python = str(self.venv / bin_dir / ("python.exe" if os.name == "nt" else "python"))
        self.kernels = folder / "jupyter"
        # pip fetches the wheel from the site every time, so the site's log shows each install
        self.env = {**os.environ, "MPLBACKEND": "agg", "LEGENDRE_DEVICE": "cpu"}
        self.env |= {"PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def create(self) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        packages = ["torch", "matplotlib", "ipykernel"]
        self.pip("install", "--quiet", "-c", str(ROOT / "constraints.txt"), *packages)
        spec = self.kernels / "kernels" / KERNEL / "kernel.json"
        spec.parent.mkdir(parents=True)
        argv = [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec.write_text(json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}))

    def pip(self, *args: str, cwd: Path | None = None) -> None:
        subprocess.run([self.python, "-m", "pip", *args], cwd=cwd, check=True, env=self.env)

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.python, *args], cwd=cwd, env=self.env, capture_output=True, text=True, check=False
        )

    def has_legendre(self) -> bool:
        check = "import importlib.util as u; print(u.find_spec('legendre') is not None)"
        return self.run("-c", check, cwd=self.venv).stdout.strip() == "True"

    def forget_legendre(self) -> None:
        self.pip("uninstall", "--quiet", "--yes", "legendre")  # a warning when it is absent
        assert not self.has_legendre()


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Reader:
    reader = Reader(tmp_path_factory.mktemp("reader"))
    reader.create()
    assert not reader.has_legendre()
    return reader


@pytest.fixture(scope="module")
def wheel(site: Path) -> str:
    """The file name of the wheel the site publishes."""
    (path,) = (site / "dist").glob("*.whl")
    return path.name


def wheel_requests(server) -> list[str]:
    return [path for path in server.requested if path.endswith(".whl")]


# -- The notebooks ---------------------------------------------------------------------------
def downloaded_notebook(root: str, stem: str):
    nbformat = pytest.importorskip("nbformat")
    notebook_url = download_link(f"{root}auto_examples/{stem}.html", ".ipynb")
    return nbformat.reads(fetch(notebook_url).decode(), as_version=4)


def imported_modules(notebook) -> set[str]:
    """Every module the notebook's code cells import, by its full dotted name."""
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module)
    return names


@pytest.mark.parametrize("language", ["en", "ko"])
def test_downloaded_notebook_installs_the_package_and_runs(
    language, site_url, server, reader, wheel, tmp_path, monkeypatch
):
    nbclient = pytest.importorskip("nbclient")
    root = site_url if language == "en" else urljoin(site_url, "ko/")
    notebook = downloaded_notebook(root, TUTORIAL)
    assert 'importlib.util.find_spec("legendre")' in notebook.cells[0].source

    reader.forget_legendre()
    before = len(wheel_requests(server))
    monkeypatch.setenv("JUPYTER_PATH", str(reader.kernels))
    for name in ("MPLBACKEND", "LEGENDRE_DEVICE", "PIP_NO_CACHE_DIR"):
        monkeypatch.setenv(name, reader.env[name])
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name=KERNEL, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()

    assert reader.has_legendre()
    fetched = wheel_requests(server)[before:]
    assert fetched == [urlsplit(root).path + f"dist/{wheel}"]
    printed = [
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    running = "Running on: {device}"  # the Korean notebook prints its Korean label
    if language == "ko":
        catalog = catalogs.read_catalog(translate.LABELS_CATALOG)
        running = catalogs.translator(catalog)(running)
    assert any(running.split("{")[0] in text for text in printed), printed[:3]


# Which of the modules named on the command line this Python cannot import. find_spec
# imports a dotted name's parents (torch for torch._dynamo), and raises if one is missing.
FIND = """
import importlib.util, sys
def found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False
print([name for name in sys.argv[1:] if not found(name)])
"""


def test_every_downloaded_notebook_imports_only_what_a_reader_has(site_url, server, reader, wheel):
    reader.forget_legendre()
    reader.pip("install", "--quiet", urljoin(site_url, f"dist/{wheel}"))
    # English only: a Korean notebook's code is the English one's but for its labels
    # (tests/test_translations.py)
    needed = {stem: imported_modules(downloaded_notebook(site_url, stem)) for stem in EXAMPLES}
    assert all("torch" in names for names in needed.values())  # the cells were read
    names = sorted(set().union(*needed.values()))
    run = reader.run("-c", FIND, *names, cwd=reader.venv)
    assert run.returncode == 0, run.stderr
    missing = ast.literal_eval(run.stdout.strip())
    assert not missing, {
        stem: sorted(names & set(missing)) for stem, names in needed.items() if names & set(missing)
    }


def test_setup_cell_refuses_a_wheel_whose_sha256_differs(site_url, server, reader, tmp_path):
    notebook = json.loads(
        fetch(download_link(f"{site_url}auto_examples/{TUTORIAL}.html", ".ipynb"))
    )
    cell = "".join(notebook["cells"][0]["source"])
    tampered, count = re.subn(r"sha256=[0-9a-f]{64}", "sha256=" + "0" * 64, cell)
    assert count == 1
    reader.forget_legendre()
    run = reader.run("-c", tampered, cwd=tmp_path)
    assert run.returncode != 0
    assert "do not match the hashes" in run.stderr.lower()
    assert not reader.has_legendre()


# -- The scripts and the zips -------------------------------------------------------------------
def test_downloaded_script_without_the_package_says_how_to_install_it(
    site_url, server, reader, wheel, tmp_path
):
    script = tmp_path / f"{Path(TUTORIAL).name}.py"
    script.write_bytes(fetch(download_link(f"{site_url}auto_examples/{TUTORIAL}.html", ".py")))
    reader.forget_legendre()
    run = reader.run(script.name, cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    command = re.search(r"python -m pip install (\S+)", run.stderr)
    assert command, run.stderr
    assert command[1] == urljoin(site_url, f"dist/{wheel}")

    reader.pip("install", "--quiet", command[1])  # what the message says to do
    run = reader.run(script.name, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Result: y = " in run.stdout


def test_unzipped_examples_install_their_requirements_and_run(site_url, server, reader, tmp_path):
    gallery = f"{site_url}auto_examples/index.html"
    page = fetch(gallery).decode()
    (link,) = re.findall(r'href="([^"]+auto_examples_python\.zip)"', page)
    archive = tmp_path / "examples.zip"
    archive.write_bytes(fetch(urljoin(gallery, link)))
    folder = tmp_path / "examples"
    zipfile.ZipFile(archive).extractall(folder)
    unzipped = {path.relative_to(folder).as_posix() for path in folder.rglob("*.py")}
    assert {f"{page}.py" for page in EXAMPLES} <= unzipped

    reader.forget_legendre()
    reader.pip("install", "--quiet", "-r", "requirements.txt", cwd=folder)
    run = reader.run(f"{TUTORIAL}.py", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert "Result: y = " in run.stdout
