from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.audit.actions import CommandLine, record
from haven.triage.actions import current_policy, rescore_all


class Command(BaseCommand):
    help = "Triage tools: `triage rescore` scores every processed report and every subject again."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rescore", help="score every processed report and subject with the weights in force")

    def handle(self, *args: Any, **options: Any) -> None:
        scored = rescore_all()
        version = current_policy().pk
        record("triage.rescored", actor=CommandLine(), details={"scored": scored, "policy_version": version})
        self.stdout.write(f"scored {scored} reports and subjects with weights version {version}")
