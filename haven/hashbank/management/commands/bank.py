from __future__ import annotations

import gc
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rich.console import Console
from rich.progress import Progress, TextColumn

from haven.audit.actions import CommandLine, record
from haven.hashbank import csvformat, vics
from haven.hashbank.actions import add_records, get_or_create_list
from haven.hashbank.hashing import hash_file
from haven.hashbank.importing import BankError, RecordInput
from haven.hashbank.loading import ChunkLoader
from haven.hashbank.models import BankRecord, Category
from haven.hashbank.video import hash_video, looks_like_video

# Rows a transaction: large enough that the chunk path's statements cost little a row, small enough that a
# kill loses little and the audit chain is never waited on for long.
CHUNK = 50_000


class Command(BaseCommand):
    help = "Import and export bank records (hashes and metadata only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import", help="add or merge records from a file; bad rows are listed, the rest go in"
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--format", choices=["vics", "csv"], required=True)
        imp.add_argument("--list", default="national", help="national (default) or partner:<name>")
        imp.add_argument("--chunk", type=int, default=CHUNK, help=f"rows a transaction (default {CHUNK:,})")
        imp.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="chunks written at once, each on its own connection (default 2 on PostgreSQL, 1 on SQLite)",
        )
        add = sub.add_parser(
            "add", help="hash image and video files and bank them (their hashes only: nothing of the media)"
        )
        add.add_argument("paths", nargs="+", type=Path)
        add.add_argument("--category", required=True, choices=Category.values)
        add.add_argument("--series", default="")
        add.add_argument("--list", default="national", help="national (default) or partner:<name>")
        exp = sub.add_parser("export", help="write records to standard output")
        exp.add_argument("--format", choices=["vics", "csv", "pdq"], required=True)
        exp.add_argument("--list")
        exp.add_argument("--category", action="append", choices=Category.values)
        exp.add_argument("--verified-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "add":
            self._add(options)
            return
        if options["subcommand"] == "import":
            # Millions of short-lived rows, none in a cycle: reference counting frees them, and the
            # collector's passes over them took a tenth of the import's CPU (perf, bench/bank_import.py).
            gc.disable()
            try:
                self._import(options)
            finally:
                gc.enable()
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        """Streams the file a chunk at a time, each chunk its own transaction: memory stays flat for a
        10M-line list, a kill loses at most the chunk in flight, and running the import again adds exactly
        what was lost (every record already there is found again and left alone)."""
        path: Path = options["file"]
        try:
            bank_list = get_or_create_list(options["list"], actor=CommandLine())
        except BankError as exc:
            raise CommandError(str(exc)) from None
        try:
            stream = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(f"{path}: cannot open: {exc.strerror}") from None
        reader = vics.read if options["format"] == "vics" else csvformat.read
        jobs = options["jobs"] or (2 if connection.vendor == "postgresql" else 1)
        loader = ChunkLoader(bank_list, jobs=jobs, actor=CommandLine(), origin=str(path))
        bad: list[str] = []
        chunk: list[RecordInput] = []
        console = Console(stderr=True)
        with stream, Progress(TextColumn("{task.description}"), TextColumn("{task.completed:,} rows"),
                              console=console, disable=not console.is_terminal) as progress:  # fmt: skip
            task = progress.add_task(f"importing {path.name}", total=None)

            def flush() -> None:
                loader.submit(chunk)
                progress.advance(task, len(chunk))
                chunk.clear()

            unreadable = ""
            try:
                for line, item in reader(stream, default_source=path.name):
                    if isinstance(item, str):
                        bad.append(f"{path}: line {line}: {item}")
                        continue
                    chunk.append(item)
                    if len(chunk) >= options["chunk"]:
                        flush()
                if chunk:
                    flush()
            except UnicodeDecodeError as exc:
                unreadable = f"not UTF-8 text ({exc.reason}); the rows before it went in"
            except vics.VicsError as exc:
                unreadable = str(exc)
            finally:
                total = loader.close()
        if unreadable:
            raise CommandError(f"{path}: {unreadable}")
        self.stdout.write(
            f"{path}: {total.created} created, {total.merged} merged, {total.unchanged} unchanged, "
            f"{len(bad)} rejected (list {bank_list.name})"
        )
        if bad:
            raise CommandError("rejected rows:\n" + "\n".join(bad))

    def _add(self, options: dict[str, Any]) -> None:
        """Each file's hashes as a record: an image's md5, sha1, sha256 and PDQ; a video's file hashes and
        a PDQ hash a second (vPDQ). Files that cannot be hashed are listed, and the rest are banked."""
        try:
            bank_list = get_or_create_list(options["list"], actor=CommandLine())
        except BankError as exc:
            raise CommandError(str(exc)) from None
        items, bad = [], []
        for path in options["paths"]:
            try:
                items.append(_record_of(path, category=options["category"], series=options["series"]))
            except BankError as exc:
                bad.append(f"{path}: {exc}")
        if items:
            total = add_records(items, bank_list, actor=CommandLine(), origin="haven bank add")
            self.stdout.write(
                f"{total.created} created, {total.merged} merged, {total.unchanged} unchanged, "
                f"{len(bad)} rejected (list {bank_list.name})"
            )
        if bad:
            raise CommandError(f"{len(bad)} file(s) not banked:\n" + "\n".join(bad))

    def _export(self, options: dict[str, Any]) -> None:
        records = (
            BankRecord.objects.exclude(status="disabled")
            .prefetch_related("sources__bank_list", "frames")
            .select_related("features")
            .order_by("id")
        )
        if options["list"]:
            records = records.filter(sources__bank_list__name=options["list"]).distinct()
        if options["category"]:
            records = records.filter(category__in=options["category"])
        if options["verified_only"]:
            records = records.verified()
        # Audited before the first line goes out, so an export cut short is on the trail too.
        filters = {k: options[k] for k in ("format", "list", "category", "verified_only") if options[k]}
        record(
            "hashbank.export", actor=CommandLine(), details={"filters": filters, "records": records.count()}
        )
        if options["format"] in {"csv", "vics"}:
            writer = csvformat.write if options["format"] == "csv" else vics.write
            writer(records.iterator(chunk_size=2000), sys.stdout)
            return
        for pdq in records.exclude(pdq=None).values_list("pdq", flat=True).iterator(chunk_size=5000):
            self.stdout.write(pdq or "")


def _record_of(path: Path, *, category: str, series: str) -> RecordInput:
    if path.is_dir():
        raise BankError("is a directory: name the files")
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError as exc:
        raise BankError(f"cannot read: {exc.strerror}") from None
    source = f"haven bank add: {path.name}"
    if looks_like_video(path.name, head):
        video = hash_video(path)
        if video.error:
            raise BankError(video.error)
        return RecordInput(
            md5=video.md5, sha1=video.sha1, sha256=video.sha256, category=category, series=series,
            source=source, duration=video.duration,
            frames=tuple(f.row for f in video.frames),
        )  # fmt: skip
    image = hash_file(path, robust=True)
    if image.error:
        raise BankError(image.error)
    return RecordInput(
        md5=image.md5, sha1=image.sha1, sha256=image.sha256, pdq=image.pdq, pdq_quality=image.quality,
        category=category, series=series, source=source, features=image.features,
    )  # fmt: skip
