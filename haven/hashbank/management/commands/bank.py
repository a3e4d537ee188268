from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import CommandLine, record
from haven.hashbank import csvformat, vics
from haven.hashbank.actions import BankError, RecordInput, add_records, get_or_create_list
from haven.hashbank.models import BankRecord, Category


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
        exp = sub.add_parser("export", help="write records to standard output")
        exp.add_argument("--format", choices=["vics", "csv", "pdq"], required=True)
        exp.add_argument("--list")
        exp.add_argument("--category", action="append", choices=Category.values)
        exp.add_argument("--verified-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            bank_list = get_or_create_list(options["list"])
        except BankError as exc:
            raise CommandError(str(exc)) from None
        try:
            stream = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(f"{path}: cannot open: {exc.strerror}") from None
        good: list[RecordInput] = []
        bad: list[str] = []
        reader = vics.read if options["format"] == "vics" else csvformat.read
        with stream:
            try:
                for line, item in reader(stream, default_source=path.name):
                    if isinstance(item, str):
                        bad.append(f"{path}: line {line}: {item}")
                    else:
                        good.append(item)
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
            except vics.VicsError as exc:
                raise CommandError(f"{path}: {exc}") from None
        summary = add_records(good, bank_list, origin=str(path))
        self.stdout.write(
            f"{path}: {summary.created} created, {summary.merged} merged, {summary.unchanged} unchanged, "
            f"{len(bad)} rejected (list {bank_list.name})"
        )
        if bad:
            raise CommandError("rejected rows:\n" + "\n".join(bad))

    def _export(self, options: dict[str, Any]) -> None:
        records = (
            BankRecord.objects.exclude(status="disabled")
            .prefetch_related("sources__bank_list")
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
