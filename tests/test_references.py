"""The printed figures checked against docs/references.toml (legendre_references and its modules)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import legendre_references as references
import printed_figures
import pytest
import reference_file
from example_filter import example_pages

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "docs" / "references.toml"
TUTORIAL = "core/plot_01_custom_function"
EXAMPLES = example_pages(ROOT / "examples")


@pytest.fixture
def recorded() -> reference_file.References:
    return reference_file.load(FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tutorial_output(original_run) -> str:
    """What the tutorial page prints on the CPU, from the independent oracle's run."""
    lines, _ = original_run
    return "\n".join(
        ["Running on: cpu", *lines, "largest error 0.196 at x = -3.142; mean error 0.059"]
    )


def only_tutorial(refs: reference_file.References) -> reference_file.References:
    """``refs`` reduced to the tutorial page, so that other pages need no output."""
    return reference_file.References(refs.other_device_factor, {TUTORIAL: refs.pages[TUTORIAL]})


def check_tutorial(refs, output):
    return printed_figures.check(only_tutorial(refs), {TUTORIAL: output})[TUTORIAL]


# -- The file ------------------------------------------------------------------------------------


def test_the_file_lists_every_example_and_no_other(recorded):
    assert sorted(recorded.pages) == EXAMPLES


def test_the_file_is_as_the_recorder_writes_it(recorded):
    """Recording rewrites the file: its text must be the recorder's, so a diff shows only values."""
    assert reference_file.dump(recorded) == FILE.read_text(encoding="utf-8")


def test_the_tutorials_references_are_the_original_tutorials_published_run(recorded, original_run):
    lines, coefficients = original_run
    page = {figure.label: figure for figure in recorded.pages[TUTORIAL].figures}
    losses = page["loss printed every 100 steps"].values["cpu/float32"]
    assert losses == [float(line.split()[1]) for line in lines[:-1]]
    fitted = [page[f"fitted {name}"].values["cpu/float32"] for name in "abcd"]
    assert fitted == coefficients
    # as published with the original tutorial
    assert losses[0] == 209.95834350585938
    assert losses[-1] == pytest.approx(8.94364, abs=1e-5)
    assert fitted[1] == pytest.approx(-2.2085268, abs=1e-7)
    assert fitted[3] == pytest.approx(0.2554861, abs=1e-7)


def test_no_page_references_a_timing(recorded):
    timing = re.compile(r"time|seconds|\bms\b|µs|/step|speed", re.IGNORECASE)
    for name, page in recorded.pages.items():
        for figure in page.figures:
            assert not timing.search(figure.label + figure.pattern), (name, figure.label)


def test_loading_refuses_a_pattern_without_one_group():
    text = """other_device_factor = 100.0
[pages."core/plot_01"]
dtype = "float32"
[[pages."core/plot_01".figures]]
label = "loss"
pattern = 'loss \\S+'
"""
    with pytest.raises(ValueError, match="needs one group"):
        reference_file.load(text)


# -- Comparing -----------------------------------------------------------------------------------


def test_a_perturbed_output_fails_with_a_table(recorded, tutorial_output):
    changed = tutorial_output.replace("999 14.877889633178711", "999 14.8781")
    assert changed != tutorial_output
    with pytest.raises(printed_figures.ReferenceDrift) as failure:
        check_tutorial(recorded, changed)
    message = str(failure.value)
    header, row = message.split("\n\n")[1].splitlines()
    assert header.split() == ["page", "figure", "value", "reference", "tolerance", "against"]
    assert row.split("  ")[0] == TUTORIAL
    for cell in ["loss printed every 100 steps #10", "14.8781", "14.877889633178711", "±0.00015"]:
        assert cell in row
    assert row.endswith("cpu/float32")
    assert "LEGENDRE_RECORD_REFERENCES=1 nox -R -s docs" in message


def test_a_drift_within_the_tolerance_passes(recorded, tutorial_output):
    close = tutorial_output.replace("999 14.877889633178711", "999 14.87789")  # 7e-8 relative
    assert all(check.ok for check in check_tutorial(recorded, close).checks)


def test_a_figure_missing_from_the_output_fails(recorded, tutorial_output):
    without = "\n".join(line for line in tutorial_output.splitlines() if "Result" not in line)
    with pytest.raises(printed_figures.ReferenceDrift) as failure:
        check_tutorial(recorded, without)
    assert re.search(r"fitted a +printed 0 times, not 1", str(failure.value))
    assert "4 printed figure(s) differ" in str(failure.value)


def test_a_series_printed_a_different_number_of_times_fails(recorded, tutorial_output):
    shorter = tutorial_output.replace("1999 8.943641662597656\n", "")
    with pytest.raises(printed_figures.ReferenceDrift, match="printed 19 times, not 20"):
        check_tutorial(recorded, shorter)


def test_an_output_without_its_device_fails_and_says_what_to_print(recorded, tutorial_output):
    with pytest.raises(printed_figures.ReferenceDrift, match=r"print\(f'Running on: \{device\}"):
        check_tutorial(recorded, tutorial_output.replace("Running on: cpu", "Running:"))


def test_another_device_is_compared_with_the_cpus_references_under_a_looser_tolerance(
    recorded, tutorial_output
):
    on_gpu = tutorial_output.replace("Running on: cpu", "Running on: cuda")
    nearby = on_gpu.replace("999 14.877889633178711", "999 14.8794")  # 1e-4 relative
    outcome = check_tutorial(recorded, nearby)
    assert (outcome.status, outcome.ran, outcome.key) == (
        "other device",
        "cuda/float32",
        "cpu/float32",
    )
    assert outcome.factor == recorded.other_device_factor == 100
    assert all(check.ok for check in outcome.checks)
    far = on_gpu.replace("999 14.877889633178711", "999 14.9")  # 1.5e-3 relative
    with pytest.raises(printed_figures.ReferenceDrift, match=r"±0\.015 +cpu/float32 ×100"):
        check_tutorial(recorded, far)
    with pytest.raises(printed_figures.ReferenceDrift, match=r"±0\.00015 +cpu/float32\n"):
        check_tutorial(recorded, nearby.replace("Running on: cuda", "Running on: cpu"))


def test_a_dtype_without_references_is_said_and_not_checked(recorded, tutorial_output):
    on_mps = tutorial_output.replace("Running on: cpu", "Running on: mps (torch.float16)")
    outcome = check_tutorial(recorded, on_mps)
    assert (outcome.status, outcome.ran, outcome.checks) == ("no reference", "mps/float16", [])


def test_a_page_that_did_not_run_is_not_checked_and_marked_for_the_partial_build_check(
    recorded, tmp_path
):
    # sphinx-gallery's page of an example it did not run holds no output
    assert printed_figures.printed_output("Title\n=====\n\nno output\n") is None
    outcome = check_tutorial(recorded, None)
    assert outcome.status == "not run"
    note = references.note(outcome, recorded.pages[TUTORIAL])
    assert "legendre-not-run" in note  # what tests/conftest.py looks for in a built page
    page = tmp_path / "auto_examples" / f"{TUTORIAL}.html"
    page.parent.mkdir(parents=True)
    page.write_text(f"<div class='legendre-references legendre-not-run'>{note}</div>")
    assert references.pages_not_run(tmp_path) == [f"auto_examples/{TUTORIAL}.html"]


def test_the_file_and_the_examples_must_name_the_same_pages(recorded, tutorial_output):
    refs = only_tutorial(recorded)
    outputs = {TUTORIAL: tutorial_output, "core/plot_99_new": None}
    with pytest.raises(
        printed_figures.ReferenceDrift, match="no entry for the example core/plot_99"
    ):
        printed_figures.check(refs, outputs)
    refs.pages["core/plot_00_gone"] = refs.pages[TUTORIAL]
    with pytest.raises(
        printed_figures.ReferenceDrift, match="names core/plot_00_gone, which is not"
    ):
        printed_figures.check(refs, {TUTORIAL: tutorial_output})


# -- Recording -----------------------------------------------------------------------------------


def test_recording_takes_what_ran_and_keeps_the_rest(recorded, tutorial_output):
    changed = tutorial_output.replace("999 14.877889633178711", "999 14.8781")
    refs = only_tutorial(copy.deepcopy(recorded))
    printed_figures.check(refs, {TUTORIAL: changed}, recording=True)
    again = reference_file.load(reference_file.dump(refs))
    assert again == refs
    printed_figures.check(again, {TUTORIAL: changed})  # no drift left
    before, after = recorded.pages[TUTORIAL].figures, again.pages[TUTORIAL].figures
    assert [(f.label, f.pattern, f.relative, f.absolute) for f in before] == [
        (f.label, f.pattern, f.relative, f.absolute) for f in after
    ]
    assert after[0].values["cpu/float32"][9] == 14.8781
    # a device of its own: a new key beside the CPU's
    on_gpu = tutorial_output.replace("Running on: cpu", "Running on: cuda")
    printed_figures.check(refs, {TUTORIAL: on_gpu}, recording=True)
    assert set(refs.pages[TUTORIAL].figures[0].values) == {"cpu/float32", "cuda/float32"}
    assert printed_figures.check(refs, {TUTORIAL: on_gpu})[TUTORIAL].status == "checked"


def test_recording_refuses_a_figure_that_is_not_printed(recorded, tutorial_output):
    without = tutorial_output.replace("Result:", "Fitted:")
    with pytest.raises(printed_figures.ReferenceDrift, match="cannot record 'fitted a'"):
        printed_figures.check(only_tutorial(recorded), {TUTORIAL: without}, recording=True)


def test_recording_drafts_the_entry_of_a_new_page_from_its_labelled_numbers(recorded):
    """A new page's "<label>: <number>" lines become figures, each within its printed digits."""
    printed = (
        "Running on: cpu (torch.float64)\nP4 at 0.5: -0.29\nmax error: 1.2345678e-07\n"
        "difference from NumPy: 4.4e-15\nok"
    )
    refs = only_tutorial(copy.deepcopy(recorded))
    new = "further/plot_12_p4"
    with pytest.raises(printed_figures.ReferenceDrift, match="LEGENDRE_RECORD_REFERENCES=1 nox"):
        printed_figures.check(copy.deepcopy(refs), {TUTORIAL: None, new: printed})
    printed_figures.check(refs, {TUTORIAL: None, new: printed}, recording=True)
    again = reference_file.load(reference_file.dump(refs))
    assert list(again.pages) == [TUTORIAL, new]
    p4, error, difference = again.pages[new].figures
    assert (p4.label, p4.absolute, p4.values) == ("P4 at 0.5", 0.01, {"cpu/float64": -0.29})
    assert (error.label, error.relative) == ("max error", 1e-05)
    assert (difference.absolute, difference.values) == (1e-16, {"cpu/float64": 4.4e-15})
    drifted = printed.replace("-0.29", "-0.31")
    with pytest.raises(printed_figures.ReferenceDrift, match=r"P4 at 0\.5 +-0\.31 +-0\.29"):
        printed_figures.check(again, {TUTORIAL: None, new: drifted})


def test_a_page_that_prints_no_figure_says_so_and_needs_no_device_line(recorded):
    refs = only_tutorial(copy.deepcopy(recorded))
    printed_figures.check(
        refs, {TUTORIAL: None, "core/plot_98_words": "no numbers"}, recording=True
    )
    page = refs.pages["core/plot_98_words"]
    assert (page.none, page.figures) == ("no figures", [])
    assert 'none = "no figures"' in reference_file.dump(refs)
    outcome = printed_figures.check(refs, {TUTORIAL: None, "core/plot_98_words": "still none"})
    assert outcome["core/plot_98_words"].status == "none"
    note = references.note(outcome["core/plot_98_words"], page)
    assert reference_file.REASONS["no figures"] in note
    assert "legendre-none" in note


# -- What ran, and the note --------------------------------------------------------------------


def test_the_note_says_what_was_checked_and_with_which_tolerance(recorded, tutorial_output):
    outcome = check_tutorial(recorded, tutorial_output)
    text = references.note(outcome, recorded.pages[TUTORIAL])
    assert "``cpu/float32``" in text
    assert "``docs/references.toml``" in text
    assert "- loss printed every 100 steps (×20): relative tolerance 1e-05" in text
    assert "- fitted a: absolute tolerance 1e-08" in text
    gpu = check_tutorial(recorded, tutorial_output.replace("on: cpu", "on: cuda"))
    text = references.note(gpu, recorded.pages[TUTORIAL])
    assert "within 100 times their tolerance" in text
    assert "- fitted b: relative tolerance 0.001" in text  # the tolerance that applied
    degrees = recorded.pages["further/plot_09_any_degree"]
    outcome = printed_figures.Outcome(
        "further/plot_09_any_degree", "checked", "cpu/float64", "cpu/float64"
    )
    assert r"- rate at which the error for \|x\| falls:" in references.note(outcome, degrees)


def test_a_build_checks_the_gallery_and_notes_its_pages(
    tmp_path, make_app, recorded, tutorial_output
):
    """A small Sphinx build over a gallery laid out as sphinx-gallery leaves it."""
    docs = tmp_path / "docs"
    script = tmp_path / "examples" / "core" / "plot_01_custom_function.py"
    script.parent.mkdir(parents=True)
    script.touch()
    rst = docs / "auto_examples" / "core" / "plot_01_custom_function.rst"
    rst.parent.mkdir(parents=True)
    block = "\n".join("    " + line for line in tutorial_output.splitlines())
    rst.write_text(
        "Tutorial\n========\n\n.. rst-class:: sphx-glr-script-out\n\n .. code-block:: none\n\n"
        f"{block}\n\n.. rst-class:: sphx-glr-timing\n\n   **Total running time of the script:**\n"
    )
    (docs / "index.rst").write_text(
        "Home\n====\n\n.. toctree::\n\n   auto_examples/core/plot_01_custom_function\n"
    )
    (docs / "references.toml").write_text(reference_file.dump(only_tutorial(recorded)))
    # sphinx-gallery declares this setting; this build runs no example
    (docs / "conf.py").write_text(
        "def setup(app):\n    app.add_config_value('sphinx_gallery_conf', {}, 'env')\n"
    )
    gallery = {"examples_dirs": "../examples", "gallery_dirs": "auto_examples"}
    conf = {"extensions": ["legendre_references"], "sphinx_gallery_conf": gallery}
    built = docs / "_build" / "html" / "auto_examples" / "core" / "plot_01_custom_function.html"

    app = make_app("html", srcdir=docs, confoverrides=conf, freshenv=True)
    app.build()
    assert app.statuscode == 0
    assert "Checked at build time" in built.read_text(encoding="utf-8")
    # a changed reference file writes the note again
    depends = app.env.dependencies["auto_examples/core/plot_01_custom_function"]
    assert "references.toml" in {Path(path).name for path in depends}

    # a drift fails the build with the table, and no note claims a match
    rst.write_text(rst.read_text().replace("1999 8.943641662597656", "1999 8.95"))
    app = make_app("html", srcdir=docs, confoverrides=conf, freshenv=True)
    app.build()
    assert app.statuscode == 1
    errors = app.warning.getvalue()
    assert "The examples' printed figures do not match docs/references.toml:" in errors
    assert re.search(r"#20 +8\.95 +8\.943641662597656 +±8\.9e-05 +cpu/float32", errors)
    assert "Checked at build time" not in built.read_text(encoding="utf-8")


# -- The built site ----------------------------------------------------------------------------


@pytest.mark.docs
@pytest.mark.parametrize(
    ("language", "checked", "unchecked"),
    [
        ("en", "Checked at build time", "Not checked at build time"),
        ("ko", "빌드할 때 확인한 수치", "빌드할 때 확인하지 않은 수치"),
    ],
)
def test_every_example_page_carries_its_note(site, language, checked, unchecked):
    root = site if language == "en" else site / "ko"
    pages = sorted((root / "auto_examples").glob("*/plot_*.html"))
    assert [
        page.relative_to(root / "auto_examples").with_suffix("").as_posix() for page in pages
    ] == EXAMPLES
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count("legendre-references") == 1, page
        assert html.index("legendre-references") < html.index("sphx-glr-timing"), page
        # every page prints figures that a rerun repeats (none is `none = ...` today)
        assert f'<p class="admonition-title">{checked}</p>' in html, page
        assert unchecked not in html, page
    tutorial = (root / "auto_examples" / f"{TUTORIAL}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", tutorial)
    if language == "en":
        assert "What this run on cpu/float32 printed matches the references in" in text
    else:
        assert "cpu/float32 환경에서 이번 빌드가 출력한 수치는" in text
        assert "100단계마다 출력한 손실 (×20): 상대 허용 오차 1e-05" in text
    assert "docs/references.toml" in text
