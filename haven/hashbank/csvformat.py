"""The bank's CSV format: md5,sha1,sha256,pdq,category,series,source. Any hash may be empty."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from haven.hashbank.actions import BankError, RecordInput
from haven.hashbank.models import BankRecord

COLUMNS = ["md5", "sha1", "sha256", "pdq", "category", "series", "source"]


def read(stream: IO[str], *, default_source: str = "") -> Iterator[tuple[int, RecordInput | str]]:
    """Yield (line number, record) for good rows and (line number, reason) for bad ones."""
    reader = csv.DictReader(stream)
    missing = [c for c in ("md5", "sha1", "sha256", "pdq") if c not in (reader.fieldnames or [])]
    if reader.fieldnames is None or len(missing) == 4:
        yield 1, f"header must name the columns {','.join(COLUMNS)}"
        return
    for fields in reader:
        line = reader.line_num
        if None in fields:
            yield line, f"more fields than the {len(reader.fieldnames)} columns in the header"
            continue
        try:
            yield (
                line,
                RecordInput(
                    md5=fields.get("md5"),
                    sha1=fields.get("sha1"),
                    sha256=fields.get("sha256"),
                    pdq=fields.get("pdq"),
                    category=(fields.get("category") or "uncategorised").strip(),
                    series=fields.get("series") or "",
                    source=(fields.get("source") or default_source),
                ),
            )
        except BankError as exc:
            yield line, str(exc)


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
