from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from haven.evidence import store
from haven.evidence.store import EvidenceError
from haven.hashbank.scan import (
    NOVEL_STATUSES,
    RowWriter,
    ScanError,
    dask_cluster,
    finished_paths,
    novel_sink,
    process_pool,
    scan,
)


class Command(BaseCommand):
    help = "Triage a folder of seized media: hash every file on all cores and match it against the bank."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument(
            "--dask",
            metavar="ADDRESS",
            help="hash on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for --workers "
            "processes here; every worker must see the files at the same paths",
        )
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--output", type=Path, help="write rows here instead of standard output")
        parser.add_argument(
            "--resume", action="store_true", help="skip files already in --output, and append"
        )
        parser.add_argument(
            "--no-robust",
            action="store_true",
            help="skip the robust second stage (crops, overlays, turns): exact and PDQ matching only, and "
            "hashing up to four times as fast for small pictures",
        )
        parser.add_argument(
            "--queue-novel",
            action="store_true",
            help="put the files the bank did not know into the grading queue (their hashes)",
        )
        parser.add_argument(
            "--upload-files",
            action="store_true",
            help="with --queue-novel: also store those files, encrypted, for graders to see (only with "
            "the consent of whoever holds them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["directory"]
        output: Path | None = options["output"]
        self._check(options)
        skip = finished_paths(output, options["format"]) if output is not None and options["resume"] else {}
        stream = (
            output.open("a" if options["resume"] else "w", encoding="utf-8", newline="")
            if output is not None
            else sys.stdout
        )
        robust = not options["no_robust"]
        hasher = (
            dask_cluster(options["dask"], workers=options["workers"], robust=robust)
            if options["dask"]
            else process_pool(options["workers"], robust=robust)
        )
        console = Console(stderr=True)
        novel: list[dict[str, Any]] = []
        try:
            writer = RowWriter(stream, options["format"], header=not skip)
            if options["queue_novel"]:
                writer = NovelRows(writer, novel)
            if console.is_terminal:
                columns = [
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                ]
                with Progress(*columns, console=console) as progress:
                    summary = scan(root, writer, hasher=hasher, skip=skip, progress=progress)
            else:
                summary = scan(root, writer, hasher=hasher, skip=skip)
        except ScanError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if output is not None:
                stream.close()
        counts = ", ".join(
            f"{status} {summary.statuses[status]}" for status in ("known", "unknown", "low_quality", "error")
        )
        console.print(
            f"scanned {sum(summary.statuses.values())} files ({summary.skipped} done before): {counts}"
        )
        if summary.categories:
            console.print(
                "known by category: " + ", ".join(f"{c} {n}" for c, n in sorted(summary.categories.items()))
            )
        if options["queue_novel"]:
            self._queue(novel, upload=options["upload_files"], console=console)
        if summary.statuses["error"]:
            raise CommandError(
                f"{summary.statuses['error']} file(s) could not be read; see the rows with status error"
            )

    @staticmethod
    def _check(options: dict[str, Any]) -> None:
        if not options["directory"].is_dir():
            raise CommandError(f"{options['directory']}: not a directory")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        if options["resume"] and options["output"] is None:
            raise CommandError("--resume needs --output FILE")
        if options["upload_files"] and not options["queue_novel"]:
            raise CommandError("--upload-files needs --queue-novel")

    def _queue(self, rows: list[dict[str, Any]], *, upload: bool, console: Console) -> None:
        sink = novel_sink()
        if sink is None:
            raise CommandError("--queue-novel: no grading queue is installed")
        blobs: dict[str, int] = {}
        failed = []
        if upload:
            for row in rows:
                try:
                    blobs[row["sha256"]] = store.put(Path(row["path"]).read_bytes()).blob.pk
                except (OSError, EvidenceError) as exc:
                    failed.append(f"{row['path']}: {exc}")
        queued = sink(rows, blobs)
        console.print(f"queued {queued} unknown file(s) for grading, {len(blobs)} with the file")
        if failed:
            raise CommandError("could not upload: " + "; ".join(failed[:10]))


class NovelRows(RowWriter):
    """A row writer that also keeps the rows of files the bank did not know."""

    def __init__(self, inner: RowWriter, novel: list[dict[str, Any]]) -> None:
        self.inner, self.novel = inner, novel

    def write(self, data: dict[str, Any]) -> None:
        self.inner.write(data)
        if data.get("status") in NOVEL_STATUSES and data.get("sha256"):
            self.novel.append(data)
