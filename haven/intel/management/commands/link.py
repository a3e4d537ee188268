from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.intel.linking import rebuild, tidy_after


class Command(BaseCommand):
    help = "Work out every subject again from the stored identifiers, keeping analysts' merges and splits."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute every link from scratch")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["rebuild"]:
            raise CommandError("say --rebuild: linking otherwise runs in the pipeline, one report at a time")
        outcome = rebuild(progress=lambda step: self.stderr.write(f"  {step} done"))
        if tidy_after(outcome):
            self.stderr.write("  vacuum and analyse done")
        self.stdout.write(
            f"{outcome.members} reported persons in {outcome.subjects} subjects: {outcome.moved} moved, "
            f"{outcome.created} subjects created, {outcome.removed} removed, {outcome.noisy} noisy values"
        )
