"""tools/messages.py and the modules beside it: the rule for labels in code, and wrapping.

How pages and scripts become messages, and go back, is checked on the real sources: the
catalogs must translate every message (tests/test_translations.py), and the Korean build,
warnings as errors, must read what comes back.
"""

import code_labels
import messages
import script_messages


def test_wrapping_never_splits_inline_markup():
    words = "``a * b`` 는 :math:`x + y` 와 `링크 텍스트 <https://example.org>`_ 를 씁니다"
    for columns in range(8, 40):
        lines = messages.wrap(words, columns)
        assert " ".join(lines) == words
        assert not any(line.startswith(("* ", "- ")) for line in lines)


# -- Labels: the text that code shows ----------------------------------------------------------

SCRIPT = '''\
"""Title
=====
"""

import matplotlib.pyplot as plt


def helper():
    """A one-line docstring is a label: the reader reads it beside the comments."""
    return "a returned caption"


class Run:
    """A docstring of several lines
    is code: its indentation is, and it stays as written."""


sizes = {"small run": 1, "large": 2}  # a key with spaces is a caption
start = {"beta": 1.0}
print(f"Running on: {device} ({sizes['large']})")
print("gradcheck:", ok, "| history:", "x")
ax.plot(x, y, "o--", color="C0", label="central difference", linestyle="--")
ax.set(xlabel="x", ylabel="$P_3(x)$", title=f"Loss from {losses[0]:.0f} to {losses[-1]:.1f}")
ax.legend(loc="upper left")
fig.suptitle("Total time")
if method == "sgd":
    results["sgd"] = run("adam", device="cpu")
assert done, "an assert's message is a label"
print(f"{'optimizer':>9} {'final loss':>11}   coefficients")
print(f"{'steps':>5} {ratio:>4}")  # a header of quoted texts is a label
print(
    f"{label}: a compiled step takes {ratio:.2f} times "
    f"the eager step's time"
)  # fmt: skip
shown = "sgd" if fast else "not measurable here"
# sphinx_gallery_tags = ["custom Function", "torch.compile"]
'''


def test_labels_are_the_literals_code_shows_and_never_names():
    found = [
        unit.msgid for unit in messages.units(script_messages.script_pieces(SCRIPT)) if unit.literal
    ]
    assert found == [
        "A one-line docstring is a label: the reader reads it beside the comments.",
        "a returned caption",
        "small run",
        "Running on: {device} ({sizes['large']})",
        "gradcheck:",
        "| history:",
        "central difference",
        "Loss from {losses[0]:.0f} to {losses[-1]:.1f}",
        "Total time",
        "an assert's message is a label",
        "{'optimizer':>9} {'final loss':>11}   coefficients",
        "{'steps':>5} {ratio:>4}",
        "{label}: a compiled step takes {ratio:.2f} times the eager step's time",
        "not measurable here",
        "custom Function",
        "torch.compile",
    ]


def test_labels_are_written_back_in_place_and_split_over_their_pieces():
    table = {
        "small run": "작은 실행",
        "{label}: a compiled step takes {ratio:.2f} times the eager step's time": (
            "{label}: 컴파일된 단계는 즉시 실행 단계의 {ratio:.2f}배가 걸립니다"
        ),
        "custom Function": "사용자 정의 Function",
    }
    pieces = script_messages.script_pieces(SCRIPT)
    korean = "\n".join(messages.render(pieces, lambda m: m, lambda m: table.get(m, m)))
    assert 'sizes = {"작은 실행": 1, "large": 2}  # a key with spaces is a caption' in korean
    assert (
        'print(\n    f"{label}: 컴파일된 단계는 즉시 실행 단계의 "\n'
        '    f"{ratio:.2f}배가 걸립니다"\n)  # fmt: skip'
    ) in korean
    assert '# sphinx_gallery_tags = ["사용자 정의 Function", "torch.compile"]' in korean
    compile(korean, "korean.py", "exec")
    untouched = "\n".join(messages.render(pieces, lambda m: m, lambda m: m))
    assert untouched.split('"""\n', 2)[2] == SCRIPT.split('"""\n', 2)[2]


def test_placeholders_that_hold_code_must_survive_translation():
    assert code_labels.placeholders("loss {losses[-1]:.1f} of {name!r}, {{braces}}") == [
        "{losses[-1]:.1f}",
        "{name!r}",
    ]
    assert code_labels.placeholders("{'final loss':>11} {rmse['sin(x)'][n]:.0e}") == [
        "{rmse['sin(x)'][n]:.0e}"
    ]
