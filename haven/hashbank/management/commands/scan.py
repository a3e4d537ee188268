from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from haven.hashbank.scan import RowWriter, ScanError, dask_cluster, finished_paths, process_pool, scan


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

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["directory"]
        if not root.is_dir():
            raise CommandError(f"{root}: not a directory")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        output: Path | None = options["output"]
        if options["resume"] and output is None:
            raise CommandError("--resume needs --output FILE")
        skip = finished_paths(output, options["format"]) if output is not None and options["resume"] else {}
        stream = (
            output.open("a" if options["resume"] else "w", encoding="utf-8", newline="")
            if output is not None
            else sys.stdout
        )
        hasher = (
            dask_cluster(options["dask"], workers=options["workers"])
            if options["dask"]
            else process_pool(options["workers"])
        )
        console = Console(stderr=True)
        try:
            writer = RowWriter(stream, options["format"], header=not skip)
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
        if summary.statuses["error"]:
            raise CommandError(
                f"{summary.statuses['error']} file(s) could not be read; see the rows with status error"
            )
