"""Each reader turns a malformed line into ``line N: reason`` and reads the rest."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from haven.chats.readers import ReadError, read, read_path

GOOD = {
    "id": "c1",
    "platform": "examplechat",
    "participants": [{"id": "a", "stated_age": 34}, {"id": "b"}],
    "messages": [
        {"at": "2026-11-20T13:05:00Z", "from": "a", "text": "hello"},
        {"at": None, "from": "b", "text": "hi"},
    ],
}


def test_jsonl_reads_good_lines_and_names_the_bad_ones() -> None:
    bad_age = {**GOOD, "id": "c2", "participants": [{"id": "a", "stated_age": "old"}]}
    no_text = {**GOOD, "id": "c3", "messages": [{"from": "a"}]}
    bad_time = {**GOOD, "id": "c4", "messages": [{"from": "a", "text": "x", "at": "yesterday"}]}
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps(bad_age),
        json.dumps(no_text),
        json.dumps(bad_time),
        json.dumps({**GOOD, "id": "c5"}),
    ]
    got = read(io.StringIO("\n".join(lines)), "jsonl")
    assert [c.id for c in got.conversations] == ["c1", "c5"]
    assert got.conversations[0].participants[0].stated_age == 34
    assert got.errors[0].startswith("line 2: not JSON")
    assert got.errors[1:] == [
        "line 3: participants[0].stated_age: expected a whole number of years",
        "line 4: messages[0].text: expected text",
        "line 5: messages[0].at: 'yesterday' is not an ISO 8601 date and time",
    ]


def test_csv_needs_its_columns_and_reads_past_a_bad_row() -> None:
    text = (
        'time,author,text\n2026-11-20 13:05,a,hello\n13:06,b\nnot a time,b,hi\n13:07,,hi\n13:08,b,"ok, bye"\n'
    )
    got = read(io.StringIO(text), "csv", name="chat")
    (conversation,) = got.conversations
    assert [(m.sender, m.text) for m in conversation.messages] == [("a", "hello"), ("b", "ok, bye")]
    assert got.errors[0] == "line 3: 2 fields where the header has 3"
    assert got.errors[1].startswith("line 4: time: 'not a time' is not a time")
    assert got.errors[2] == "line 5: no author"
    headless = read(io.StringIO("when,who,what\n"), "csv")
    assert headless.errors == [
        "line 1: the header needs the columns time, author and text; missing time, author, text"
    ]


def test_whatsapp_export_joins_continued_lines_and_skips_its_own_notices() -> None:
    text = (
        "oops a stray line first\n"
        "12/03/2026, 21:15 - Messages and calls are end-to-end encrypted.\n"
        "12/03/2026, 21:16 - Sam: hi there\n"
        "and a second line\n"
        "[13/03/2026, 9:05:01 pm] Alex: hello\n"
        "31/02/2026, 21:17 - Sam: a date that is not one\n"
    )
    got = read(io.StringIO(text), "whatsapp")
    (conversation,) = got.conversations
    assert [(m.sender, m.text) for m in conversation.messages] == [
        ("Sam", "hi there\nand a second line"),
        ("Alex", "hello"),
    ]
    assert conversation.messages[1].at is not None and conversation.messages[1].at.hour == 21
    assert got.errors[0] == "line 1: expected 'date, time - name: message'"
    assert got.errors[1].startswith("line 6: 31/02/2026")


def test_plain_log_names_lines_without_a_speaker() -> None:
    got = read(io.StringIO("sam: hi\nno colon here\n: nobody\nalex: hello: there\n"), "plain")
    assert [(m.sender, m.text) for m in got.conversations[0].messages] == [
        ("sam", "hi"),
        ("alex", "hello: there"),
    ]
    assert got.errors == ["line 2: expected 'name: message'", "line 3: expected 'name: message'"]


PAN = """<?xml version="1.0" encoding="UTF-8"?>
<conversations>
<conversation id="0042">
  <message line="1"><author>aaa111</author><time>03:20</time><text>hello there</text></message>
  <message line="2"><time>03:21</time><text>nobody wrote this</text></message>
  <message line="3"><author>bbb222</author><time>03:22</time><text>hi &amp; bye</text></message>
</conversation>
<conversation id="0043">
  <message line="1"><author>ccc</author><text>second</text></message>
</conversation>
</conversations>
"""


def test_pan2012_xml_is_read_and_a_message_without_an_author_named() -> None:
    got = read(io.StringIO(PAN), "pan2012")
    assert [c.id for c in got.conversations] == ["0042", "0043"]
    assert [m.text for m in got.conversations[0].messages] == ["hello there", "hi & bye"]
    assert got.errors == ["line 5: a message without an author"]
    cut = PAN[: PAN.index('<conversation id="0043">')] + '<conversation id="0043"><message <<'
    broken = read(io.StringIO(cut), "pan2012")
    assert [c.id for c in broken.conversations] == ["0042"]  # what came before the error
    assert broken.errors[-1].startswith("line 8: not well-formed XML")


def test_pan2012_refuses_entities() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><conversations>&a;</conversations>'
    got = read(io.StringIO(bomb), "pan2012")
    assert got.conversations == [] and "refused" in got.errors[0]


def test_the_format_is_guessed_and_bad_files_refused(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("12/03/2026, 21:16 - Sam: hi\n")
    assert read_path(chat)[1] == "whatsapp"
    chat.write_text("sam: hi\n")
    assert read_path(chat)[1] == "plain"
    binary = tmp_path / "chat.jsonl"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ReadError, match="not UTF-8"):
        read_path(binary)
    with pytest.raises(ReadError, match="unknown format"):
        read(io.StringIO(""), "docx")


def test_pan2012_is_evaluated_against_its_list_of_predators(tmp_path: Path) -> None:
    from django.core.management import call_command  # noqa: PLC0415

    corpus = tmp_path / "pan.xml"
    corpus.write_text(
        '<conversations><conversation id="g1">'
        + "".join(
            f"<message line='{i}'><author>{a}</author><time>03:{i:02d}</time><text>{t}</text></message>"
            for i, (a, t) in enumerate(
                [
                    ("p9", "how old are you"),
                    ("v1", "13"),
                    ("p9", "our secret ok, dont tell anyone"),
                    ("p9", "are your parents home"),
                    ("p9", "send me a photo of you"),
                ]
            )
        )
        + '</conversation><conversation id="b1"><message line="1"><author>x</author><text>hi</text></message>'
        + '<message line="2"><author>y</author><text>hello</text></message></conversation></conversations>'
    )
    truth = tmp_path / "predators.txt"
    truth.write_text("p9\n")
    out = io.StringIO()
    call_command(
        "chats", "evaluate", str(corpus), "--format", "pan2012", "--predators", str(truth), stdout=out
    )
    scores = json.loads(out.getvalue())
    assert (scores["conversations"], scores["grooming"]) == (2, 1)
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0 and scores["groomer_accuracy"] == 1.0
