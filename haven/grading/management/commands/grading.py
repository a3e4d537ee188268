from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import CommandLine, record
from haven.grading.actions import recluster
from haven.grading.metrics import by_grader, metrics


class Command(BaseCommand):
    help = "The grading queue: group near-duplicates now, or print the supervisors' metrics as JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("cluster", help="group the queued near-duplicates now (the workers do it each minute)")
        figures = sub.add_parser("metrics", help="queue, time to grade, agreement, looks saved, exposure")
        figures.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "cluster":
            moved = recluster()
            self.stdout.write(f"moved {moved} item(s) into clusters of near-duplicates")
            return
        if not 1 <= options["days"] <= 3660:
            raise CommandError("--days must be 1 to 3660")
        found = metrics(days=options["days"])
        record("grading.metrics_export", actor=CommandLine(), details={"days": options["days"]})
        data = {
            "stages": found.stages,
            "oldest_waiting_hours": found.oldest_waiting_hours,
            "waiting_by_band": found.bands,
            "first_grade_hours": found.first_grade_hours,
            "verified_hours": found.verified_hours,
            "agreement": found.agreement,
            "items_graded": found.items_graded,
            "looks_saved": found.looks_saved,
            "graders": by_grader(found.days),
        }
        self.stdout.write(json.dumps(data, indent=2))
