"""`haven scan`: hash every file under a folder on all cores, match each against the bank, one row per file.

Hashing runs in worker processes; matching runs in this process, which holds the PDQ index. Rows are
written and flushed one at a time, so ``--resume`` can pick up after a kill without redoing finished files.
Images are never copied or displayed.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from haven.hashbank.hashing import hash_file
from haven.hashbank.matcher import matcher
from haven.hashbank.results import row

CSV_COLUMNS = ["path", "md5", "sha1", "sha256", "pdq", "quality", "status", "matches", "error"]


def walk(root: Path) -> Iterator[Path]:
    """Regular files under root, sorted; symbolic links are never followed, so nothing outside is read."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        base = Path(folder)
        for name in sorted(files):
            path = base / name
            if not path.is_symlink() and path.is_file():
                yield path


def finished_paths(output: Path, fmt: str) -> dict[str, str]:
    """Path → status of the rows an earlier run wrote; a torn last line from a kill is cut off."""
    if not output.exists():
        return {}
    text = output.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]
        output.write_text("".join(lines), encoding="utf-8")
    if fmt == "jsonl":
        done = {}
        for line in lines:
            try:
                data = json.loads(line)
                done[data["path"]] = data["status"]
            except (ValueError, KeyError, TypeError):
                continue
        return done
    return {r["path"]: r["status"] for r in csv.DictReader(lines)}


@dataclass
class ScanSummary:
    statuses: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    skipped: int = 0


class RowWriter:
    def __init__(self, stream: IO[str], fmt: str, *, header: bool) -> None:
        self.stream = stream
        self.fmt = fmt
        self.csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None and header:
            self.csv.writerow(CSV_COLUMNS)

    def write(self, data: dict[str, Any]) -> None:
        if self.csv is not None:
            values = [json.dumps(data[c]) if c == "matches" else data[c] for c in CSV_COLUMNS]
            self.csv.writerow(["" if v is None else v for v in values])
        else:
            self.stream.write(json.dumps(data) + "\n")
        self.stream.flush()


def scan(
    root: Path,
    writer: RowWriter,
    *,
    workers: int,
    skip: dict[str, str],
    progress: Any | None = None,
) -> ScanSummary:
    summary = ScanSummary()
    paths = [str(p) for p in walk(root)]
    todo = [p for p in paths if p not in skip]
    summary.skipped = len(paths) - len(todo)
    present = set(paths)
    summary.statuses.update(status for path, status in skip.items() if path in present)
    task = progress.add_task("scanning", total=len(todo)) if progress is not None else None
    match = matcher()
    # forkserver, not fork: a forked worker would inherit this process's database connection, and its exit
    # could close the connection under us. Workers import only haven.hashbank.hashing, which needs no Django.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for hashes in pool.map(partial(hash_file, dihedral=True), todo, chunksize=8):
            matches = match.match(hashes) if hashes.sha256 else []
            data = row(hashes, matches)
            writer.write(data)
            summary.statuses[data["status"]] += 1
            for category in sorted({m["category"] for m in data["matches"]}):
                summary.categories[category] += 1
            if progress is not None:
                progress.advance(task)
    return summary
