"""Each example page, and each downloaded notebook, says how its output was made.

When an example runs, :func:`record` (sphinx-gallery's ``reset_modules`` hook; see
``conf.py``) writes a *stamp* beside its page in the gallery folder
(``auto_examples/core/plot_01_custom_function.stamp.json``): the torch and Python
versions, the device and its name, the source commit, the date, and what the run
cost (sphinx-gallery's running time, how far the example raised the build's resident
memory at its peak, the peak CUDA memory). The stamp describes the run that made the output on
the page: an example that does not run again keeps its page and its stamp together.

The page shows the stamp in a note (:func:`note`); the notebooks carry it in their
metadata under ``"legendre"`` (see ``wheel_downloads.py``). The run's date, time and
memory differ from build to build; on the page they are marked with the class
``legendre-varies``, and everything else comes out the same in two clean builds.

Not sphinx-gallery's ``show_memory``: with it on, every page also prints sphinx-gallery's
own memory line, in English on the Korean pages and different in every build. The run
time is the page's own, which sphinx-gallery caches beside it (``.cost.json``).
"""

from __future__ import annotations

import datetime
import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import gallery_paths
from sphinx.locale import _
from theme_messages import N_

SUFFIX = ".stamp.json"
#: Keys of a stamp that change from one run to the next.
VARYING = ("date", "run_time_s", "peak_host_mb", "peak_cuda_mb")

# -- Measuring --------------------------------------------------------------------------------

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _resident_mb(field: str) -> float | None:
    """A resident-memory figure of this process from Linux's /proc (VmRSS, VmHWM), in MB."""
    try:
        found = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found[1]) / 1024 if found else None


def start_peak() -> float | None:
    """Start measuring a peak: the resident MB now, or ``None`` where no peak can be reset.

    Writing 5 to /proc/self/clear_refs resets the process's peak (VmHWM) to what it
    holds now (Linux 4.0 and later); elsewhere the peak since the process started is
    all there is, which says nothing about one example.
    """
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return None
    return _resident_mb("VmRSS")


def peak_above(start: float | None) -> float | None:
    """How far the process's resident memory rose above ``start`` since :func:`start_peak`."""
    peak = _resident_mb("VmHWM")
    return None if start is None or peak is None else max(peak - start, 0.0)


def _cuda_ready() -> bool:
    torch = sys.modules.get("torch")  # no CUDA figures unless torch is already in use
    return torch is not None and torch.cuda.is_available()


# -- Describing the machine and the source ----------------------------------------------------


def _output(*command: str) -> str | None:
    """What ``command`` prints, or ``None`` when it fails or does not exist."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def cpu_name() -> str:
    """The CPU's model name, as the operating system reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin" and (name := _output("sysctl", "-n", "machdep.cpu.brand_string")):
        return name
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(device) -> str:
    """A name a reader recognises: the GPU's, or the CPU's model."""
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return f"Apple GPU ({platform.machine()})"
    return cpu_name()


def source_commit(folder: Path) -> tuple[str | None, bool]:
    """The git commit ``folder`` is checked out at, and whether the sources differ from it.

    Only ``legendre/``, ``examples/`` and ``docs/`` count: they make the pages. ``None``
    outside a git checkout (a build from an sdist, say) or without git.
    """
    head = _output("git", "-C", str(folder), "rev-parse", "HEAD")
    root = _output("git", "-C", str(folder), "rev-parse", "--show-toplevel")
    if not head or not root:
        return None, False
    changed = _output("git", "-C", root, "status", "--porcelain", "--untracked-files=no",
                      "--", "legendre", "examples", "docs")  # fmt: skip
    return head, bool(changed)


# -- The stamp --------------------------------------------------------------------------------


def stamp(run_time: float, host_mb: float | None, cuda_mb: float | None, folder: Path) -> dict:
    """What made an example's output, as a JSON-ready dict."""
    import torch

    import legendre

    device = legendre.default_device()
    commit, changed = source_commit(folder)
    return {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": str(device),
        "device_name": device_name(device),
        "commit": commit,
        "uncommitted_changes": changed,
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "run_time_s": round(run_time, 2),
        "peak_host_mb": None if host_mb is None else round(host_mb, 1),
        "peak_cuda_mb": None if cuda_mb is None else round(cuda_mb, 1),
    }


_started: dict[str, float | None] = {}


def record(gallery_conf: dict, fname: str | None, when: str) -> None:
    """Before an example runs, start its memory peaks; after, write its stamp beside its page."""
    if fname is None:  # entering a folder
        return
    if when == "before":
        if _cuda_ready():
            import torch

            torch.cuda.reset_peak_memory_stats()
        _started[fname] = start_peak()
        return
    host_mb = peak_above(_started.pop(fname, None))
    page = gallery_paths.find(gallery_conf, "gallery_dirs", Path(fname).stem + ".rst")
    cost_file = page and page.with_name(Path(fname).stem + ".cost.json")
    if cost_file is None or not cost_file.is_file():  # sphinx-gallery caches a passing run's cost
        return
    cuda_mb = None
    if _cuda_ready():
        import torch

        cuda_mb = torch.cuda.max_memory_allocated() / 2**20
    run_time = json.loads(cost_file.read_text(encoding="utf-8"))["time"]  # the page's own figure
    made = stamp(run_time, host_mb, cuda_mb, Path(gallery_conf["src_dir"]))
    target = cost_file.with_name(Path(fname).stem + SUFFIX)
    target.write_text(json.dumps(made, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# -- The note on each page --------------------------------------------------------------------

TITLE = N_("How this output was made")
NOT_RUN = N_("No run of this example is recorded in this build, so nothing is stamped.")
DEVICE = N_("Device: {name} ({device})")
SOFTWARE = N_("Software: torch {torch}, Python {python}")
COMMIT = N_("Source: commit {commit}")
CHANGED = N_("Source: commit {commit}, with uncommitted changes")
NO_COMMIT = N_("Source: not a git checkout")
RUN = N_("Run: {date}, {seconds} s")
HOST = N_("peak host memory {mb} MB")
HOST_UNMEASURED = N_("host memory not measured on this system")
CUDA = N_("peak CUDA memory {mb} MB")


def _varies(text: str) -> str:
    # escaped spaces (removed from the output) let the role touch any word around it,
    # such as the Korean unit in "{seconds}초"
    return f"\\ :legendre-varies:`{text}`\\ "


def megabytes(mb: float) -> str:
    """A memory figure: whole MB, or one decimal below 1 MB, so a small rise is not "+0"."""
    return f"{mb:.1f}" if abs(mb) < 0.95 else f"{mb:.0f}"


def note(made: dict | None, repository: str | None = None) -> str:
    """The reST of the page's stamp, in the build's language."""
    if made is None:
        lines = [str(_(NOT_RUN))]
    else:
        commit = made["commit"]
        if commit:
            shown = f"``{commit[:12]}``"
            if repository:
                shown = f"`{commit[:12]} <{repository.rstrip('/')}/commit/{commit}>`__"
            source = _(CHANGED if made["uncommitted_changes"] else COMMIT).format(commit=shown)
        else:
            source = str(_(NO_COMMIT))
        host = made["peak_host_mb"]
        seconds = _varies(f"{made['run_time_s']:g}")
        run = [_(RUN).format(date=_varies(made["date"]), seconds=seconds)]
        run.append(_(HOST).format(mb=_varies("+" + megabytes(host))) if host is not None
                   else str(_(HOST_UNMEASURED)))  # fmt: skip
        if made["peak_cuda_mb"] is not None:
            run.append(_(CUDA).format(mb=_varies(megabytes(made["peak_cuda_mb"]))))
        name = made["device_name"].replace("\\", "\\\\").replace("*", "\\*")
        lines = [
            # the machine's name as its maker writes it, marked so that no edition translates it
            _(DEVICE).format(name=f":legendre-device:`{name}`", device=f"``{made['device']}``"),
            _(SOFTWARE).format(torch=made["torch"], python=made["python"]),
            source,
            "; ".join(run),
        ]
    body = [f"   | {line}" for line in lines]
    return "\n".join(
        [".. role:: legendre-varies", ".. role:: legendre-device", "",
         f".. admonition:: {_(TITLE)}",
         "   :class: note legendre-stamp", "", *body]
    )  # fmt: skip


def add_stamp(app, docname: str, source: list[str]) -> None:
    """Put the stamp at the end of each example page, before its running time."""
    if app.builder.format != "html":
        return
    conf = app.config.sphinx_gallery_conf
    gallery = conf["gallery_dirs"]
    if not docname.startswith(gallery + "/") or not Path(docname).name.startswith("plot_"):
        return
    path = Path(app.srcdir, docname + SUFFIX)
    app.env.note_dependency(str(path))  # a new run re-reads the page
    text = note(read_stamp(path), app.config.legendre_repository_url)
    source[0] = gallery_paths.before_timing(source[0], text)


def stamps(app) -> dict[str, dict]:
    """Every example's stamp, by the example's file stem, for the notebooks' metadata."""
    gallery = Path(app.srcdir, app.config.sphinx_gallery_conf["gallery_dirs"])
    found = {}
    for path in sorted(gallery.rglob("plot_*" + SUFFIX)):
        made = read_stamp(path)
        if made is not None:
            found[path.name.removesuffix(SUFFIX)] = made
    return found


def setup(app):
    # after legendre_references (priority 500): the stamp follows the references' note
    app.connect("source-read", add_stamp, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
