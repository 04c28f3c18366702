"""docs/_ext/legendre_stamp.py: what each example's output ran on, on its page and notebook."""

from __future__ import annotations

import datetime
import json
import platform
import re
import subprocess
import zipfile
from pathlib import Path

import catalogs
import legendre_stamp as stamp
import pytest
import torch
import translate
from docutils.core import publish_parts

import legendre

MADE = {
    "torch": "2.13.0+cpu", "python": "3.11.7", "device": "cuda:0",
    "device_name": "NVIDIA H200", "commit": "0123456789abcdef0123456789abcdef01234567",
    "uncommitted_changes": False, "date": "2026-11-29", "run_time_s": 6.12,
    "peak_host_mb": 120.4, "peak_cuda_mb": 33.2,
}  # fmt: skip


def git(folder: Path, *arguments: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    done = subprocess.run(["git", "-C", str(folder), *identity, *arguments],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


@pytest.mark.skipif(not stamp.start_peak(), reason="the peak resident memory resets on Linux only")
def test_the_host_peak_sees_memory_held_only_during_the_run():
    start = stamp.start_peak()
    block = bytearray(200 * 2**20)  # touched, so resident
    block[::4096] = b"x" * len(block[::4096])
    del block  # the peak outlives the block
    assert 190 <= stamp.peak_above(start) < 260
    again = stamp.start_peak()
    assert stamp.peak_above(again) < 20  # a new start forgets the old peak


def test_a_finished_example_leaves_a_stamp_with_its_pages_running_time(tmp_path):
    section = tmp_path / "auto_examples" / "core"
    section.mkdir(parents=True)
    (section / "plot_01_x.rst").write_text("page")
    (section / "plot_01_x.cost.json").write_text(json.dumps({"time": 2.8219, "memory": 0}))
    conf = {"src_dir": str(tmp_path), "gallery_dirs": "auto_examples"}
    stamp.record(conf, "plot_01_x.py", "before")
    stamp.record(conf, "plot_01_x.py", "after")
    made = json.loads((section / "plot_01_x.stamp.json").read_text())
    assert made["run_time_s"] == 2.82
    assert made["torch"] == torch.__version__
    assert made["python"] == platform.python_version()
    assert made["device"] == str(legendre.default_device())
    assert made["date"] == datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert made["peak_cuda_mb"] is None or torch.cuda.is_available()


def test_an_example_that_did_not_pass_leaves_no_stamp(tmp_path):
    (tmp_path / "auto_examples").mkdir()
    (tmp_path / "auto_examples" / "plot_02_y.rst").write_text("page")  # no cost: it failed
    conf = {"src_dir": str(tmp_path), "gallery_dirs": "auto_examples"}
    stamp.record(conf, "plot_02_y.py", "before")
    stamp.record(conf, "plot_02_y.py", "after")
    assert not (tmp_path / "auto_examples" / "plot_02_y.stamp.json").exists()


def test_the_cpu_is_named_by_its_model():
    name = stamp.device_name(torch.device("cpu"))
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file() and "model name" in cpuinfo.read_text():
        assert name in cpuinfo.read_text()
    assert name.strip()


def test_the_source_is_the_checked_out_commit_and_its_changes_show(tmp_path):
    assert stamp.source_commit(tmp_path) == (None, False)  # not a checkout
    git(tmp_path, "init", "-q")
    (tmp_path / "legendre").mkdir()
    (tmp_path / "legendre" / "trainer.py").write_text("x = 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    head = git(tmp_path, "rev-parse", "HEAD")
    assert stamp.source_commit(tmp_path) == (head, False)
    (tmp_path / "notes.txt").write_text("untracked, and not a source of the pages\n")
    assert stamp.source_commit(tmp_path / "legendre") == (head, False)
    (tmp_path / "legendre" / "trainer.py").write_text("x = 2\n")
    assert stamp.source_commit(tmp_path) == (head, True)


def rendered(made: dict | None, repository: str | None = None) -> str:
    parts = publish_parts(stamp.note(made, repository), writer="html5",
                          settings_overrides={"report_level": 2, "halt_level": 2})  # fmt: skip
    return parts["body"]


def test_the_note_names_versions_device_and_commit_and_marks_what_varies():
    html = rendered(MADE, "https://github.com/example/legendre")
    text = re.sub(r"<[^>]+>", "", html)
    assert "Device: NVIDIA H200 (cuda:0)" in text
    assert "Software: torch 2.13.0+cpu, Python 3.11.7" in text
    assert "Source: commit 0123456789ab" in text
    assert f'href="https://github.com/example/legendre/commit/{MADE["commit"]}"' in html
    assert "Run: 2026-11-29, 6.12 s; peak host memory +120 MB; peak CUDA memory 33 MB" in text
    varying = re.findall(r'<span class="legendre-varies">([^<]*)</span>', html)
    assert varying == ["2026-11-29", "6.12", "+120", "33"]


def test_the_note_says_what_it_could_not_know():
    made = {**MADE, "commit": None, "peak_host_mb": None, "peak_cuda_mb": None}
    text = re.sub(r"<[^>]+>", "", rendered(made))
    assert "Source: not a git checkout" in text
    assert "host memory not measured on this system" in text
    assert "CUDA" not in text.replace("cuda:0", "")
    assert "No run of this example is recorded" in rendered(None)


def test_a_rise_under_a_megabyte_shows_one_decimal_in_both_languages(monkeypatch):
    """A small peak reads "+0.5 MB", not "+0MB" (the Korean review's slip)."""
    made = {**MADE, "peak_host_mb": 0.46, "peak_cuda_mb": 0.25}
    text = re.sub(r"<[^>]+>", "", rendered(made))
    assert "peak host memory +0.5 MB; peak CUDA memory 0.2 MB" in text
    korean = {m.id: m.string for m in catalogs.read_catalog(translate.THEME_CATALOG) if m.id}
    monkeypatch.setattr(stamp, "_", lambda message: korean[message])
    text = re.sub(r"<[^>]+>", "", rendered(made))
    assert "호스트 메모리 최대 증가량 +0.5 MB; CUDA 메모리 최대 0.2 MB" in text


# -- The built site ----------------------------------------------------------------------------

EXAMPLES = sorted(path.stem for path in (Path(__file__).parents[1] / "examples").rglob("plot_*.py"))
TITLES = {"": "How this output was made", "ko/": "이 출력을 만든 환경"}
SOFTWARE = {"": "Software: torch {}, Python {}", "ko/": "소프트웨어: torch {}, Python {}"}


def page_stamp(html: str) -> str:
    (block,) = re.findall(r'<div class="note legendre-stamp admonition">(.*?)</div>\s*</div>',
                          html, re.DOTALL)  # fmt: skip
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


@pytest.mark.docs
@pytest.mark.parametrize("root", TITLES)
def test_every_example_page_shows_the_stamp_of_the_run_that_made_it(site, root):
    """The stamp names this machine's torch, Python and device: the build ran here."""
    pages = sorted((site / root / "auto_examples").glob("*/plot_*.html"))
    assert [page.stem for page in pages] == EXAMPLES
    software = SOFTWARE[root].format(torch.__version__, platform.python_version())
    device = str(legendre.default_device())
    for page in pages:
        text = page_stamp(page.read_text(encoding="utf-8"))
        assert TITLES[root] in text, page
        assert software in text, page
        assert f"{stamp.device_name(legendre.default_device())} ( {device} )" in text, page
        assert re.search(r"20\d\d-\d\d-\d\d", text), page


@pytest.mark.docs
@pytest.mark.parametrize("root", TITLES)
def test_every_notebook_carries_the_stamp_and_the_checks_its_page_shows(site, root):
    """In _downloads and inside every zip: the same stamp, page by page."""
    notebooks = {}
    for path in sorted((site / root / "_downloads").glob("*/plot_*.ipynb")):
        notebooks.setdefault(path.stem, []).append(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((site / root / "_downloads").glob("*/*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".ipynb"):
                    notebooks.setdefault(Path(name).stem, []).append(json.loads(archive.read(name)))
    assert sorted(notebooks) == EXAMPLES
    for name, copies in notebooks.items():
        assert len(copies) == 3, name  # the notebook, its example's zip, the zip of all
        made = [copy["metadata"]["legendre"]["output_on_the_page_made_with"] for copy in copies]
        assert made[0] == made[1] == made[2], name
        assert made[0]["torch"] == torch.__version__
        assert made[0]["python"] == platform.python_version()
        checked = copies[0]["metadata"]["legendre"]["figures_checked_on_the_page"]
        assert checked["file"] == "docs/references.toml"
        if name == "plot_01_custom_function":
            assert checked["status"] == "checked"
            assert checked["ran_on"] == f"{legendre.default_device().type}/float32"
            assert checked["compared_with"] in (checked["ran_on"], "cpu/float32")
            labels = [figure["label"] for figure in checked["figures"]]
            assert "loss printed every 100 steps" in labels
        (page,) = (site / root / "auto_examples").glob(f"*/{name}.html")
        text = page_stamp(page.read_text(encoding="utf-8"))
        assert f" {made[0]['date']} " in text, name
        assert f" {made[0]['run_time_s']:g} " in text, name
