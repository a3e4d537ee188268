from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import Progress

from haven.audit.actions import CommandLine, record
from haven.insights import summary, trends
from haven.insights.monthly import MonthError, parse_month, previous_month, render_pdf


class Command(BaseCommand):
    help = "Insights: the monthly PDF report, trends to watch, and summarising reports for the dashboards."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        report = sub.add_parser("report", help="write the monthly report for partners as a PDF")
        report.add_argument("--month", help="YYYY-MM (default: last month)")
        report.add_argument("--output", required=True, help="the PDF file to write")
        sub.add_parser("trends", help="print trends to watch as JSON")
        refresh = sub.add_parser("refresh", help="summarise the days marked stale now (the workers do it)")
        refresh.add_argument("--all", action="store_true", help="summarise every day again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "report":
            self._report(options["month"] or previous_month(timezone.localdate()), Path(options["output"]))
        elif options["subcommand"] == "trends":
            found = trends.find()
            self.stdout.write(json.dumps([
                {"series": t.label, "measure": t.measure, "where": t.where, "recent_weeks": t.recent,
                 "usual_top": round(t.usual_top, 1), "baseline_mean": round(t.baseline_mean, 1),
                 "excess": t.excess, "ratio": t.ratio} for t in found], indent=2))  # fmt: skip
        elif options["all"]:
            with Progress(transient=True) as bar:
                task = bar.add_task("summarising days", total=None)
                days = summary.rebuild(progress=lambda _day: bar.advance(task))
            self.stdout.write(f"summarised {days} day(s)")
        else:
            self.stdout.write(f"summarised {summary.refresh_stale(limit=100_000)} stale day(s)")

    def _report(self, raw: str, output: Path) -> None:
        try:
            month = parse_month(raw)
        except MonthError as problem:
            raise CommandError(f"--month: {problem}") from None
        if not output.parent.is_dir():
            raise CommandError(f"{output}: the folder {output.parent} does not exist")
        pdf = render_pdf(month)
        try:
            output.write_bytes(pdf)
        except OSError as problem:
            raise CommandError(f"{output}: {problem.strerror}") from None
        record(
            "insights.monthly_report",
            actor=CommandLine(),
            details={"month": f"{month:%Y-%m}", "bytes": len(pdf)},
        )
        self.stdout.write(f"wrote {output} ({len(pdf):,} bytes) for {month:%B %Y}")
