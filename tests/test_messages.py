"""docs/messages.py: English text into messages, and translations back into the text."""

import messages


def _render(text: str, table: dict[str, str], *, prose: bool = True) -> str:
    pieces = messages.rst_pieces(text, prose=prose)
    return "\n".join(messages.render(pieces, lambda msgid: table.get(msgid, msgid)))


def test_korean_titles_get_rules_as_wide_as_their_text():
    text = "Training\n========\n\nSome text.\n\n---------\nWhat next\n---------\n"
    table = {"Training": "학습", "Some text.": "본문.", "What next": "다음 단계"}
    assert _render(text, table).split("\n") == [
        "학습", "====", "", "본문.", "", "---------", "다음 단계", "---------", "",
    ]  # fmt: skip


def test_only_comments_of_code_and_no_directive_content_are_messages():
    text = (
        ".. toctree::\n   :maxdepth: 1\n\n   getting_started\n   api\n\n"
        ".. math:: y = a + b x\n\n"
        "Run this::\n\n    x = f(y)  # one step\n\n    z = x  # and another\n\n"
        ".. code-block:: console\n\n   $ nox -s docs  # build\n"
    )
    msgids = [unit.msgid for unit in messages.units(messages.rst_pieces(text))]
    assert msgids == ["Run this::", "one step", "and another", "build"]
    table = {"one step": "한 단계", "build": "빌드"}
    rendered = _render(text, table, prose=False)
    assert rendered == text.replace("# one step", "# 한 단계").replace("# build", "# 빌드")


def test_an_admonition_starting_on_its_directive_line_is_one_message():
    text = ".. note:: Measured here,\n   on this machine.\n\n   More.\n"
    pieces = messages.rst_pieces(text)
    assert [unit.msgid for unit in messages.units(pieces)] == [
        "Measured here, on this machine.",
        "More.",
    ]
    table = {"Measured here, on this machine.": "여기서 잰 값입니다.", "More.": "더."}
    assert _render(text, table) == ".. note:: 여기서 잰 값입니다.\n\n   더.\n"


def test_wrapping_never_splits_inline_markup():
    words = "``a * b`` 는 :math:`x + y` 와 `링크 텍스트 <https://example.org>`_ 를 씁니다"
    for columns in range(8, 40):
        lines = messages.wrap(words, columns)
        assert " ".join(lines) == words
        assert not any(line.startswith(("* ", "- ")) for line in lines)
