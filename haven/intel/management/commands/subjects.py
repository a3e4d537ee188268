from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import User
from haven.audit.actions import CommandLine, record
from haven.intel.actions import KINDS_WITH_EXCLUSIONS, IntelError, add_exclusion, remove_exclusion
from haven.intel.export import subject_rows
from haven.intel.models import Exclusion
from haven.intel.stix import bundle


class Command(BaseCommand):
    help = "Export subjects, or manage the exclusion list (values that must never link)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        exp = sub.add_parser("export", help="write every subject to standard output")
        exp.add_argument("--format", choices=["jsonl", "stix"], default="jsonl")
        exp.add_argument(
            "--with-conditions",
            action="store_true",
            help="include reports graded with handling code C, each carrying its conditions",
        )
        add = sub.add_parser(
            "exclude", help="stop values matching a pattern (* and ? wildcards) from linking"
        )
        add.add_argument("kind", choices=KINDS_WITH_EXCLUSIONS)
        add.add_argument("pattern")
        add.add_argument("--reason", required=True)
        add.add_argument("--by", required=True, help="the username of the admin who asked for it")
        rm = sub.add_parser("include", help="remove an exclusion, so its values link again")
        rm.add_argument("kind", choices=KINDS_WITH_EXCLUSIONS)
        rm.add_argument("pattern")
        rm.add_argument("--by", required=True)
        sub.add_parser("exclusions", help="list the exclusions")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "export":
            asked = {"format": options["format"], "with_conditions": options["with_conditions"]}
            record("intel.subjects_export", actor=CommandLine(), details=asked)
            if options["format"] == "stix":
                self.stdout.write(bundle(with_conditions=options["with_conditions"]))
                return
            for row in subject_rows(with_conditions=options["with_conditions"]):
                self.stdout.write(json.dumps(row, ensure_ascii=False))
        elif command == "exclusions":
            for e in Exclusion.objects.order_by("kind", "pattern").select_related("created_by"):
                self.stdout.write(
                    f"{e.kind}\t{e.pattern}\t{e.reason}\t{e.created_by.username}\t{e.created_at:%Y-%m-%d}"
                )
        else:
            actor = User.objects.filter(username=options["by"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['by']!r}")
            try:
                if command == "exclude":
                    _, outcome = add_exclusion(
                        options["kind"], options["pattern"], reason=options["reason"], actor=actor
                    )
                else:
                    exclusion = Exclusion.objects.filter(
                        kind=options["kind"], pattern=options["pattern"]
                    ).first()
                    if exclusion is None:
                        raise CommandError(f"{options['kind']} {options['pattern']} is not excluded")
                    outcome = remove_exclusion(exclusion, actor=actor)
            except IntelError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{outcome.members} reported persons relinked, {outcome.moved} moved")
