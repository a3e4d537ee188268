"""Conversations read from the files people hold: JSON lines in the report schema's shape, CSV (time,
author, text), a WhatsApp text export, plain ``name: message`` logs, and PAN-2012's XML.

Every reader yields conversations and collects the lines it could not read as ``line N: reason``; the
rest of the file is read. Nothing here decides anything about the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils.dateparse import parse_datetime

FORMATS = ("jsonl", "csv", "whatsapp", "plain", "pan2012")
MAX_MESSAGES = 50_000  # a conversation; a longer log is cut here and says so
MAX_TEXT = 10_000  # characters a message
MAX_PARTICIPANTS = 500


@dataclass(frozen=True)
class Participant:
    id: str
    identifier: str | None = None
    stated_age: int | None = None


@dataclass(frozen=True)
class Message:
    at: datetime | None
    sender: str
    text: str


@dataclass
class Conversation:
    id: str
    platform: str | None = None
    participants: list[Participant] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    def participant_ids(self) -> list[str]:
        """The declared participants, then anyone else who wrote, in order of first message."""
        seen = {p.id: None for p in self.participants}
        for m in self.messages:
            seen.setdefault(m.sender, None)
        return list(seen)


@dataclass
class Read:
    conversations: list[Conversation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: reason"

    def error(self, line: int, reason: str) -> None:
        self.errors.append(f"line {line}: {reason}")


class ReadError(ValueError):
    """A file that cannot be read at all (not text, unknown format)."""


def guess_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".xml":
        return "pan2012"
    first = next((line for line in head.splitlines() if line.strip()), "")
    return "whatsapp" if _WHATSAPP.match(first) or _WHATSAPP_IOS.match(first) else "plain"


def read(stream: IO[str], fmt: str, *, name: str = "conversation") -> Read:
    readers = {"jsonl": read_jsonl, "csv": read_csv, "whatsapp": read_whatsapp, "plain": read_plain,
               "pan2012": read_pan2012}  # fmt: skip
    if fmt not in readers:
        raise ReadError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return readers[fmt](stream, name)


def _text(value: Any, line: int, where: str, result: Read) -> str | None:
    if not isinstance(value, str):
        result.error(line, f"{where}: expected text")
        return None
    if len(value) > MAX_TEXT:
        result.error(line, f"{where}: longer than {MAX_TEXT:,} characters")
        return None
    return value


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date and time")
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time")
    return parsed


def conversation_from_json(data: Any) -> Conversation:
    """A conversation in the report schema's shape; ValueError names the bad field."""
    if not isinstance(data, dict):
        raise ValueError("expected an object with id, participants and messages")
    cid = data.get("id")
    if not isinstance(cid, str | int) or isinstance(cid, bool) or str(cid).strip() == "":
        raise ValueError("id: expected text")
    participants = _participants(data.get("participants") or [])
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages: expected a list of at least one message")
    if len(messages) > MAX_MESSAGES:
        raise ValueError(f"messages: more than {MAX_MESSAGES:,}; split the conversation")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise ValueError(f"messages[{i}]: expected an object with at, from and text")
        sender, text = m.get("from"), m.get("text")
        if not isinstance(sender, str | int) or isinstance(sender, bool) or str(sender) == "":
            raise ValueError(f"messages[{i}].from: expected a participant id")
        if not isinstance(text, str):
            raise ValueError(f"messages[{i}].text: expected text")
        if len(text) > MAX_TEXT:
            raise ValueError(f"messages[{i}].text: longer than {MAX_TEXT:,} characters")
        try:
            at = _when(m.get("at"))
        except ValueError as exc:
            raise ValueError(f"messages[{i}].at: {exc}") from None
        out.append(Message(at, str(sender), text))
    platform = data.get("platform")
    if platform is not None and not isinstance(platform, str):
        raise ValueError("platform: expected text")
    return Conversation(str(cid), platform, participants, out)


def _participants(people: Any) -> list[Participant]:
    if not isinstance(people, list) or len(people) > MAX_PARTICIPANTS:
        raise ValueError(f"participants: expected a list of at most {MAX_PARTICIPANTS}")
    participants: list[Participant] = []
    for i, p in enumerate(people):
        if not isinstance(p, dict) or not isinstance(p.get("id"), str | int) or isinstance(p.get("id"), bool):
            raise ValueError(f"participants[{i}].id: expected text")
        age = p.get("stated_age")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 < age < 130):
            raise ValueError(f"participants[{i}].stated_age: expected a whole number of years")
        ident = p.get("identifier")
        if ident is not None and not isinstance(ident, str):
            raise ValueError(f"participants[{i}].identifier: expected text")
        if str(p["id"]) not in {q.id for q in participants}:
            participants.append(Participant(str(p["id"]), ident, age))
    return participants


def read_jsonl(stream: IO[str], name: str) -> Read:
    result = Read()
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            result.error(number, f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            result.conversations.append(conversation_from_json(data))
        except ValueError as exc:
            result.error(number, str(exc))
    return result


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%H:%M:%S",
                 "%H:%M")  # fmt: skip


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is not None:
        return parsed
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)  # noqa: DTZ007  (a chat's own clock, zone unknown)
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a time (expected ISO 8601, dd/mm/yyyy hh:mm or hh:mm)")


def read_csv(stream: IO[str], name: str) -> Read:
    """Columns time, author and text (any order, named in the header), and optionally conversation: each
    conversation id becomes its own conversation; without it the file is one."""
    result = Read()
    reader = csv.reader(stream)
    header = next(reader, None)
    columns = [c.strip().lower() for c in header or []]
    missing = [c for c in ("time", "author", "text") if c not in columns]
    if missing:
        result.error(1, f"the header needs the columns time, author and text; missing {', '.join(missing)}")
        return result
    at, author, text = (columns.index(c) for c in ("time", "author", "text"))
    group = columns.index("conversation") if "conversation" in columns else None
    found: dict[str, Conversation] = {}
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            result.error(number, f"{len(row)} fields where the header has {len(columns)}")
            continue
        if not row[author].strip():
            result.error(number, "no author")
            continue
        try:
            when = _parse_time(row[at])
        except ValueError as exc:
            result.error(number, f"time: {exc}")
            continue
        body = _text(row[text], number, "text", result)
        if body is None:
            continue
        cid = row[group].strip() if group is not None and row[group].strip() else name
        conversation = found.setdefault(cid, Conversation(cid))
        if len(conversation.messages) >= MAX_MESSAGES:
            result.error(number, f"conversation {cid}: over {MAX_MESSAGES:,} messages; the rest is left out")
            continue
        conversation.messages.append(Message(when, row[author].strip(), body))
    result.conversations.extend(found.values())
    return result


# "12/03/2024, 21:15 - Name: text" (Android) and "[12/03/2024, 21:15:03] Name: text" (iOS).
_WHATSAPP = re.compile(
    r"^(\d{1,2}/\d{1,2}/\d{2,4}),? (\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?) - (.*)$", re.IGNORECASE
)
_WHATSAPP_IOS = re.compile(
    r"^\[(\d{1,2}/\d{1,2}/\d{2,4}),? (\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?)\] (.*)$", re.IGNORECASE
)


_WHATSAPP_CLOCKS = [f"%d/%m/{year}{clock}" for year in ("%Y", "%y")
                    for clock in ("%H:%M", "%H:%M:%S", "%I:%M%p", "%I:%M:%S%p")]  # fmt: skip


def _whatsapp_time(day: str, clock: str) -> datetime:
    clock = clock.upper().replace(".", "").replace(" ", "")
    for fmt in _WHATSAPP_CLOCKS:
        try:
            return datetime.strptime(day + clock, fmt)  # noqa: DTZ007  (the phone's own clock)
        except ValueError:
            continue
    raise ValueError(f"{day} {clock} is not a date and time")


def read_whatsapp(stream: IO[str], name: str) -> Read:
    """A chat exported from WhatsApp as text. A line without a date continues the message before it;
    a dated line without ``name:`` is WhatsApp's own notice (encryption, someone joined) and is skipped."""
    result = Read()
    conversation = Conversation(name, "whatsapp")
    last: Message | None = None
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\n").lstrip("\ufeff\u200e")
        if not line.strip():
            continue
        match = _WHATSAPP.match(line) or _WHATSAPP_IOS.match(line)
        if match is None:
            if last is None:
                result.error(number, "expected 'date, time - name: message'")
                continue
            last = Message(last.at, last.sender, last.text + "\n" + line)
            conversation.messages[-1] = last
            continue
        try:
            when = _whatsapp_time(match[1], match[2])
        except ValueError as exc:
            result.error(number, str(exc))
            last = None
            continue
        sender, sep, text = match[3].partition(": ")
        if not sep:
            last = None  # a notice from WhatsApp itself
            continue
        if len(conversation.messages) >= MAX_MESSAGES:
            result.error(number, f"more than {MAX_MESSAGES:,} messages; the rest is left out")
            break
        last = Message(when, sender.strip(), text[:MAX_TEXT])
        conversation.messages.append(last)
    if conversation.messages:
        result.conversations.append(conversation)
    return result


def read_plain(stream: IO[str], name: str) -> Read:
    """One ``name: message`` a line."""
    result = Read()
    conversation = Conversation(name)
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        sender, sep, text = line.partition(":")
        if not sep or not sender.strip() or len(sender) > 100:
            result.error(number, "expected 'name: message'")
            continue
        if len(conversation.messages) >= MAX_MESSAGES:
            result.error(number, f"more than {MAX_MESSAGES:,} messages; the rest is left out")
            break
        conversation.messages.append(Message(None, sender.strip(), text.strip()[:MAX_TEXT]))
    if conversation.messages:
        result.conversations.append(conversation)
    return result


def read_pan2012(stream: IO[str], name: str) -> Read:
    """PAN-2012's corpus: ``<conversation id=…>`` of ``<message line=…>`` with ``<author>``, ``<time>`` and
    ``<text>``. Read with defusedxml (no entities, no external references). An XML error ends the file
    there, with its line; a message without an author is left out, with its line."""
    from xml.sax import SAXParseException  # noqa: PLC0415  (only for this format)
    from xml.sax.handler import ContentHandler  # noqa: PLC0415

    import defusedxml.sax  # noqa: PLC0415

    result = Read()

    class Handler(ContentHandler):
        def __init__(self) -> None:
            super().__init__()
            self.conversation: Conversation | None = None
            self.fields: dict[str, str] = {}
            self.field: str | None = None
            self.message_line = 0

        def line(self) -> int:
            locator = getattr(self, "_locator", None)
            return int(locator.getLineNumber() or 0) if locator is not None else 0

        def startElement(self, tag: str, attrs: Any) -> None:  # noqa: N802  (SAX's name)
            if tag == "conversation":
                self.conversation = Conversation(attrs.get("id") or f"{name}-{len(result.conversations) + 1}")
            elif tag == "message":
                self.fields, self.message_line = {}, self.line()
            elif tag in ("author", "time", "text"):
                self.field = tag
                self.fields.setdefault(tag, "")

        def characters(self, content: str) -> None:
            if self.field is not None:
                self.fields[self.field] += content

        def endElement(self, tag: str) -> None:  # noqa: N802  (SAX's name)
            if tag in ("author", "time", "text"):
                self.field = None
            elif tag == "message" and self.conversation is not None:
                author = self.fields.get("author", "").strip()
                if not author:
                    result.error(self.message_line, "a message without an author")
                    return
                text = self.fields.get("text", "")[:MAX_TEXT]
                try:
                    when = _parse_time(self.fields.get("time", ""))
                except ValueError:
                    when = None
                if len(self.conversation.messages) < MAX_MESSAGES:
                    self.conversation.messages.append(Message(when, author, text))
            elif tag == "conversation" and self.conversation is not None:
                if self.conversation.messages:
                    result.conversations.append(self.conversation)
                self.conversation = None

    handler = Handler()
    parser = defusedxml.sax.make_parser()
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except SAXParseException as exc:
        result.error(exc.getLineNumber() or 0, f"not well-formed XML: {exc.getMessage()}")
    except Exception as exc:  # defusedxml's refusals: entities, DTDs, external references
        result.error(handler.line(), f"refused: {type(exc).__name__}: {exc}")
    return result


def read_path(path: Path, fmt: str | None = None) -> tuple[Read, str]:
    """A file read in its format (guessed from its name and first line if not given)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start})") from None
    fmt = fmt or guess_format(path, text[:2000])
    return read(io.StringIO(text, newline=None), fmt, name=path.stem), fmt
