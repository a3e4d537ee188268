"""Project VIC's VICS JSON: read versions 1.2, 1.3 and 2.0; write 2.0 (UK data model).

A VICS file is an OData document. Version 2.0 names its data model in ``@odata.context``, for example
``.../ProjectVic/DataModels/2.0.xml/UK/$metadata#Media``; versions 1.2 and 1.3 use ``odata.metadata``
(``.../DataModels/1.3.xml#Media``). ``value`` holds either Media entries or Cases that each hold a
``Media`` list. A Media entry carries MD5 and SHA1 itself, and any other hash in ``AlternativeHashes`` as
``{"HashName": ..., "HashValue": ...}``; Haven reads and writes SHA256 and PDQ there and ignores others
(PhotoDNA and the like, which Haven does not hold). VICS has no field for a video's frame hashes or for
local features, so Haven writes its own there, which other readers skip: ``vPDQ`` (a video's frames, as
``importing.frames_text``, with the video's length in seconds in the Media's ``Duration``) and
``HavenFeatures1`` (a still image's second-stage features, base64).

Categories. Only the UK data model numbers categories on the UK Sentencing Council scale, as CAID does:
0 uncategorised, 1 Category A, 2 Category B, 3 Category C, 4 not indecent. Other data models (US, CUSTOM
and the 1.x models) classify on a different scale whose numbers say nothing about A, B or C, so their
entries come in as ``uncategorised`` for a UK grader to grade.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from haven.hashbank.importing import (
    BankError,
    RecordInput,
    features_text,
    frames_text,
    parse_features,
    parse_frames,
)
from haven.hashbank.models import BankRecord, Category

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media"
UK_CATEGORIES = {
    0: Category.UNCATEGORISED,
    1: Category.A,
    2: Category.B,
    3: Category.C,
    4: Category.NOT_INDECENT,
}
CATEGORY_NUMBERS = {name: number for number, name in UK_CATEGORIES.items()}
ALTERNATIVE = {
    "sha256": "sha256",
    "sha-256": "sha256",
    "pdq": "pdq",
    "vpdq": "vpdq",
    "havenfeatures1": "features",
}
MODEL = re.compile(r"DataModels/(?P<version>\d+\.\d+)\.xml(?:/(?P<region>[A-Za-z]+))?")
VERSIONS = {"1.2", "1.3", "2.0"}


class VicsError(ValueError):
    """The file as a whole cannot be read; the message says why."""


class _Entry(dict[str, Any]):
    """A JSON object that remembers the line its opening brace is on."""

    line = 0


def _load(text: str) -> Any:
    """json.loads, except that every object knows its line, so bad entries can be reported by line."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_Entry, int]:
        obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]  # not in the stubs
        entry = _Entry(obj)
        entry.line = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
        return entry, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]  # the pure-Python scanner reads it
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _flag(value: Any) -> bool:
    # Distributed files write the flags as JSON booleans or as the strings "true" and "false".
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def _category(value: Any, uk: bool) -> str:
    if value is None or value == "":
        return Category.UNCATEGORISED
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BankError(f"Category: expected a number, got {value!r}") from None
    if not uk:
        return Category.UNCATEGORISED
    if number not in UK_CATEGORIES:
        raise BankError(f"Category: {number} is not a UK data model category (0 to 4)")
    return UK_CATEGORIES[number]


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BankError(f"{key}: expected a string, got {type(value).__name__}")
    return value


def _record(entry: Any, *, uk: bool, source: str) -> RecordInput:
    if not isinstance(entry, dict):
        raise BankError("a Media entry must be a JSON object")
    hashes: dict[str, str | None] = {"md5": _text(entry, "MD5"), "sha1": _text(entry, "SHA1")}
    alternatives = entry.get("AlternativeHashes") or []
    if not isinstance(alternatives, list):
        raise BankError("AlternativeHashes: expected a list")
    for alt in alternatives:
        if not isinstance(alt, dict):
            raise BankError("AlternativeHashes: each item must be an object with HashName and HashValue")
        name = ALTERNATIVE.get(str(alt.get("HashName", "")).strip().lower())
        if name:
            hashes[name] = _text(alt, "HashValue")
    series = entry.get("Series") or ""
    duration = entry.get("Duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int | float)):
        raise BankError("Duration: expected seconds")  # RecordInput checks that it is not negative
    return RecordInput(
        duration=float(duration) if duration is not None else None,
        frames=parse_frames(hashes["vpdq"] or "") if hashes.get("vpdq") else (),
        features=parse_features(hashes["features"] or "") if hashes.get("features") else None,
        md5=hashes["md5"],
        sha1=hashes["sha1"],
        sha256=hashes.get("sha256"),
        pdq=hashes.get("pdq"),
        category=_category(entry.get("Category"), uk),
        series=str(series),
        source=source,
        victim_identified=_flag(entry.get("VictimIdentified")),
        offender_identified=_flag(entry.get("OffenderIdentified")),
        distributed=_flag(entry.get("IsDistributed")),
    )


def read(stream: IO[str], *, default_source: str = "") -> Iterator[tuple[int, RecordInput | str]]:
    """Yield (line, record) for good Media entries and (line, reason) for bad ones.

    Raises VicsError when the file is not a VICS document at all.
    """
    try:
        document = _load(stream.read())
    except json.JSONDecodeError as exc:
        raise VicsError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("value"), list):
        raise VicsError('not a VICS document: expected an object with a "value" list')
    context = str(document.get("@odata.context") or document.get("odata.metadata") or "")
    model = MODEL.search(context)
    if model is None or model["version"] not in VERSIONS:
        found = model["version"] if model else (context or "none")
        raise VicsError(f"unsupported VICS data model {found!r}: Haven reads 1.2, 1.3 and 2.0")
    uk = model["version"] == "2.0" and (model["region"] or "").upper() == "UK"
    for item in _media(document["value"]):
        line = getattr(item, "line", 0)
        try:
            yield line, _record(item, uk=uk, source=default_source)
        except BankError as exc:
            yield line, str(exc)


def _media(value: list[Any]) -> Iterator[Any]:
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("Media"), list):
            yield from item["Media"]  # a Case
        else:
            yield item


def _entry(rec: BankRecord) -> dict[str, Any]:
    lists = sorted({source.bank_list.name for source in rec.sources.all()})
    alternatives = [{"HashName": "SHA256", "HashValue": rec.sha256.upper()}] if rec.sha256 else []
    if rec.pdq:
        alternatives.append({"HashName": "PDQ", "HashValue": rec.pdq})
    if rec.duration is not None:
        alternatives.append({"HashName": "vPDQ", "HashValue": frames_text(rec.frame_rows())})
    if data := rec.feature_bytes():
        alternatives.append({"HashName": "HavenFeatures1", "HashValue": features_text(data)})
    extra = {"Duration": rec.duration} if rec.duration is not None else {}
    return {
        "MediaID": rec.pk,
        "Category": CATEGORY_NUMBERS[Category(rec.category)],
        "MD5": (rec.md5 or "").upper(),
        "SHA1": (rec.sha1 or "").upper(),
        "Series": rec.series,
        "VictimIdentified": rec.victim_identified,
        "OffenderIdentified": rec.offender_identified,
        "IsDistributed": rec.distributed,
        "IsPrecategorized": rec.category != Category.UNCATEGORISED,
        "DateUpdated": rec.updated_at.isoformat().replace("+00:00", "Z"),
        "Tags": ";".join(lists),
        "AlternativeHashes": alternatives,
        **extra,
    }


def write(records: Iterable[BankRecord], stream: IO[str]) -> int:
    """Stream a VICS 2.0 document, one Media entry a line, without holding the bank in memory."""

    stream.write('{"@odata.context": ' + json.dumps(CONTEXT) + ', "value": [\n')
    count = 0
    for rec in records:
        stream.write((",\n" if count else "") + json.dumps(_entry(rec), ensure_ascii=False))
        count += 1
    stream.write("\n]}\n")
    return count
