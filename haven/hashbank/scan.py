"""`haven scan`: hash every file under a folder on all cores, match each against the bank, one row per file.

Hashing runs in worker processes, or on a Dask cluster when one folder outgrows one machine; matching runs
in this process, which holds the PDQ index. Rows are written and flushed one at a time, so ``--resume`` can
pick up after a kill without redoing finished files. Images are never copied or displayed, and only hashes
travel back from Dask workers.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from haven.hashbank.actions import record_hits
from haven.hashbank.hashing import FileHashes
from haven.hashbank.matcher import matcher
from haven.hashbank.results import row, video_scan_row
from haven.hashbank.video import VideoHashes, hash_any, hash_any_batch

HITS_BATCH = 500  # sightings are written to the bank in batches, not one UPDATE per known file
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


@dataclass(frozen=True)
class Finished:
    """A row an earlier run wrote: enough to count it in this run's summary."""

    status: str
    categories: frozenset[str] = frozenset()


def _categories(matches: object) -> frozenset[str]:
    if isinstance(matches, str):
        try:
            matches = json.loads(matches or "[]")
        except ValueError:
            return frozenset()
    if not isinstance(matches, list):
        return frozenset()
    return frozenset(str(m["category"]) for m in matches if isinstance(m, dict) and "category" in m)


def finished_paths(output: Path, fmt: str) -> dict[str, Finished]:
    """Path → the rows an earlier run wrote; a torn last line from a kill is cut off."""
    if not output.exists():
        return {}
    text = output.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]
        output.write_text("".join(lines), encoding="utf-8")
    rows: list[dict[str, object]] = []
    if fmt == "jsonl":
        for line in lines:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    else:
        rows = list(csv.DictReader(lines))
    done = {}
    for data in rows:
        if (
            isinstance(data, dict)
            and isinstance(data.get("path"), str)
            and isinstance(data.get("status"), str)
        ):
            done[str(data["path"])] = Finished(str(data["status"]), _categories(data.get("matches")))
    return done


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


Hasher = Callable[[list[str]], Iterable[FileHashes | VideoHashes]]


def process_pool(workers: int, *, robust: bool = True) -> Hasher:
    """Hash on this machine's cores, in input order; ``robust=False`` skips the second stage's features."""

    def run(paths: list[str]) -> Iterator[FileHashes | VideoHashes]:
        # forkserver, not fork: a forked worker would inherit this process's database connection, and its
        # exit could close the connection under us. Workers import only haven.hashbank's hashing modules.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(partial(hash_any, robust=robust), paths, chunksize=8)

    return run


class ScanError(RuntimeError):
    """The scan cannot go on; the message says why."""


# Where ``haven scan --queue-novel`` sends the rows of files the bank did not know, with the stored blob of
# each file the user consented to upload (by sha256): the grading queue registers itself here, from its
# AppConfig.ready(), so the bank never imports it. Returns how many files were queued.
NovelSink = Callable[[list[dict[str, Any]], dict[str, int]], int]
_novel_sink: NovelSink | None = None
NOVEL_STATUSES = frozenset({"unknown", "low_quality"})


def register_novel_sink(sink: NovelSink) -> None:
    global _novel_sink  # noqa: PLW0603  (the registry is this module's state)
    _novel_sink = sink


def novel_sink() -> NovelSink | None:
    return _novel_sink


def dask_cluster(
    address: str, *, workers: int, batch: int = 32, connect_timeout: float = 10, robust: bool = True
) -> Hasher:
    """Hash on a Dask cluster, in completion order. Every worker must see the files at the same paths.

    ``address`` is a scheduler such as ``tcp://10.0.0.5:8786``, or ``local`` for a cluster of ``workers``
    processes on this machine. At most four batches per worker are in flight, so a folder of any size
    never queues all its work on the scheduler at once.
    """

    def run(paths: list[str]) -> Iterator[FileHashes | VideoHashes]:
        from distributed import Client, LocalCluster, as_completed  # noqa: PLC0415  (only when asked for)

        logging.getLogger("distributed").setLevel(logging.WARNING)  # its INFO lines would bury the summary
        if address == "local":
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                scheduler_kwargs={"dashboard": False},  # no web server: nothing listens but the scheduler
                silence_logs=logging.WARNING,
            )
            client = Client(cluster)
        else:
            cluster = None
            try:
                client = Client(address, timeout=connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise ScanError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            batches = iter([paths[i : i + batch] for i in range(0, len(paths), batch)])
            limit = 4 * max(1, len(client.scheduler_info()["workers"]) if cluster is None else workers)
            first = itertools.islice(batches, limit)
            running = as_completed([client.submit(hash_any_batch, b, robust, pure=False) for b in first])
            for future in running:
                yield from future.result()
                following = next(batches, None)
                if following is not None:
                    running.add(client.submit(hash_any_batch, following, robust, pure=False))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run


def scan(
    root: Path,
    writer: RowWriter,
    *,
    hasher: Hasher,
    skip: dict[str, Finished],
    progress: Any | None = None,
) -> ScanSummary:
    summary = ScanSummary()
    paths = [str(p) for p in walk(root)]
    todo = [p for p in paths if p not in skip]
    summary.skipped = len(paths) - len(todo)
    present = set(paths)
    for path, earlier in skip.items():
        if path in present:
            summary.statuses[earlier.status] += 1
            summary.categories.update(earlier.categories)
    task = progress.add_task("scanning", total=len(todo)) if progress is not None else None
    match = matcher()
    seen: list[int] = []
    for hashes in hasher(todo):
        if isinstance(hashes, VideoHashes):
            hits = match.match_video(hashes) if hashes.sha256 and not hashes.error else []
            seen.extend({h.record for h in hits})
            data = video_scan_row(hashes, hits)
        else:
            matches = match.match(hashes) if hashes.sha256 else []
            seen.extend({m.record for m in matches})
            data = row(hashes, matches)
        if len(seen) >= HITS_BATCH:
            record_hits(seen)
            seen = []
        writer.write(data)
        summary.statuses[data["status"]] += 1
        for category in sorted({m["category"] for m in data["matches"]}):
            summary.categories[category] += 1
        if progress is not None:
            progress.advance(task)
    record_hits(seen)
    return summary
