"""The bank's CSV format: md5,sha1,sha256,pdq,category,series,source. Any hash may be empty."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from haven.hashbank.importing import BankError, RecordInput
from haven.hashbank.models import BankRecord

COLUMNS = ["md5", "sha1", "sha256", "pdq", "category", "series", "source"]


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
        md5, sha1, sha256, pdq, category, series, source = (
            row[i] if i is not None and i < len(row) else None for i in at
        )
        try:
            item = RecordInput(
                md5=md5, sha1=sha1, sha256=sha256, pdq=pdq,
                category=(category or "uncategorised").strip(),
                series=series or "", source=source or default_source,
            )  # fmt: skip
        except BankError as exc:
            yield line, str(exc)
        else:
            yield line, item


def write(records: Iterable[BankRecord], stream: IO[str]) -> int:
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
            ]
        )
        count += 1
    return count
