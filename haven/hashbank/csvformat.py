"""The bank's CSV format: md5,sha1,sha256,pdq,category,series,source, and for videos and the robust stage
duration,vpdq,features. Any hash may be empty; the last three columns may be left out.

``vpdq`` holds a video's frames (``importing.frames_text``: "index,quality,pdq,seconds" a frame, split by
";"), ``duration`` its length in seconds, and ``features`` a still image's second-stage features in
base64 (``importing.features_text``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from haven.hashbank.importing import (
    BankError,
    RecordInput,
    features_text,
    frames_text,
    parse_features,
    parse_frames,
)
from haven.hashbank.models import BankRecord

COLUMNS = ["md5", "sha1", "sha256", "pdq", "category", "series", "source", "duration", "vpdq", "features"]


def read(stream: IO[str], *, default_source: str = "") -> Iterator[tuple[int, RecordInput | str]]:
    """Yield (line number, record) for good rows and (line number, reason) for bad ones. Columns are found
    by the header's names, in any order; a short row leaves the rest empty; blank lines are skipped."""
    reader = csv.reader(stream)
    header = next(reader, None)
    where = {name: i for i, name in reversed(list(enumerate(header or [])))}
    if header is None or not any(c in where for c in ("md5", "sha1", "sha256", "pdq")):
        yield 1, f"header must name the columns {','.join(COLUMNS)}"
        return
    width = len(header)
    at = [where.get(name) for name in COLUMNS]

    for row in reader:
        if not row:
            continue
        line = reader.line_num
        if len(row) > width:
            yield line, f"more fields than the {width} columns in the header"
            continue
        md5, sha1, sha256, pdq, category, series, source, duration, vpdq, features = (
            row[i] if i is not None and i < len(row) else None for i in at
        )
        try:
            item = RecordInput(
                duration=_duration(duration),
                frames=parse_frames(vpdq) if vpdq else (),
                features=parse_features(features) if features else None,
                md5=md5, sha1=sha1, sha256=sha256, pdq=pdq,
                category=(category or "uncategorised").strip(),
                series=series or "", source=source or default_source,
            )  # fmt: skip
        except BankError as exc:
            yield line, str(exc)
        else:
            yield line, item


def _duration(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)  # RecordInput checks that it is not negative
    except ValueError:
        raise BankError(f"duration: expected seconds, got {value[:40]!r}") from None


def write(records: Iterable[BankRecord], stream: IO[str]) -> int:
    """Write records, which should come with ``prefetch_related("frames")`` and
    ``select_related("features")``."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for rec in records:
        sources = sorted({s.source for s in rec.sources.all() if s.source})
        writer.writerow(
            [
                rec.md5 or "",
                rec.sha1 or "",
                rec.sha256 or "",
                rec.pdq or "",
                rec.category,
                rec.series,
                ";".join(sources),
                "" if rec.duration is None else f"{rec.duration:g}",
                frames_text(rec.frame_rows()) if rec.duration is not None else "",
                features_text(data) if (data := rec.feature_bytes()) else "",
            ]
        )
        count += 1
    return count
