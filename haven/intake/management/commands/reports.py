from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from haven.accounts.models import Organisation
from haven.audit.actions import CommandLine, record
from haven.core.paths import json_path
from haven.intake.actions import ConflictError, submit_reports
from haven.intake.models import SOURCE_OF_ORGANISATION_KIND, Report, Source
from haven.intake.schemas import ReportIn

CHUNK = 1000  # lines a transaction: a kill loses at most the chunk in flight, and a re-run redoes only that


def _priority(report: Report) -> dict[str, Any] | None:
    """The report's priority as staff exports carry it (``triage.models.Priority.as_json``), or None
    before it is scored."""
    priority = getattr(report, "priority", None)
    return priority.as_json() if priority is not None else None


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{json_path(e['loc']) or '(report)'}: {e['msg']}" for e in exc.errors())


class Command(BaseCommand):
    help = "Import reports from JSON lines (the API's schema), or export the stored reports."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import", help="add reports from a .jsonl file; bad lines are listed, the rest go in"
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--organisation", help="the slug of the organisation that made the reports")
        imp.add_argument("--source", choices=Source.values, help="needed without --organisation")
        exp = sub.add_parser("export", help="write every report to standard output, one JSON line each")
        exp.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options)
        else:
            self._export()

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation {options['organisation']!r} (see `haven org list`)")
        source = options["source"] or (
            SOURCE_OF_ORGANISATION_KIND.get(organisation.kind) if organisation else None
        )
        if source is None:
            raise CommandError("give --source when the reports have no --organisation")
        try:
            stream = path.open(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot open: {exc.strerror}") from None
        counts = {"created": 0, "existing": 0}
        bad: list[str] = []
        chunk: list[tuple[int, ReportIn]] = []

        def flush() -> None:
            results = submit_reports(
                [item for _, item in chunk], organisation=organisation, source=source, finished=True,
                origin=str(path), content_keys=True,
            )  # fmt: skip
            for (line, _), result in zip(chunk, results, strict=True):
                if isinstance(result, ConflictError):
                    bad.append(f"{path}: line {line}: {result}")
                else:
                    counts["created" if result.created else "existing"] += 1
            chunk.clear()

        with stream:
            try:
                for line_number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        chunk.append((line_number, ReportIn.model_validate_json(line)))
                    except ValidationError as exc:
                        bad.append(f"{path}: line {line_number}: {_reason(exc)}")
                    if len(chunk) >= CHUNK:
                        flush()
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
            if chunk:
                flush()
        self.stdout.write(
            f"{path}: {counts['created']} created, {counts['existing']} already there, {len(bad)} rejected"
        )
        if bad:
            raise CommandError("rejected lines:\n" + "\n".join(bad))

    def _export(self) -> None:
        # ``priority`` is triage's (a later app): read through the relation, never imported here.
        reports = Report.objects.select_related("organisation", "priority").order_by("id")
        record("intake.reports_export", actor=CommandLine(), details={"reports": reports.count()})
        for report in reports.iterator(chunk_size=2000):
            row = {
                "id": str(report.uid),
                "organisation": report.organisation.slug if report.organisation else None,
                "source": report.source,
                "status": report.status,
                **report.payload,
                "priority": _priority(report),
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
