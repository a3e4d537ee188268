from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import record
from haven.evidence import keys, store


class Command(BaseCommand):
    help = "Evidence store keys: print a new master key, or re-wrap every blob's key with the current one."
    # `new-key` is how a first key is made, so it must run where there is none yet (checks.py refuses that).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("new-key", help="print a new random master key (base64) for HAVEN_EVIDENCE_KEY")
        sub.add_parser(
            "rotate-key",
            help="re-wrap every blob's data key with HAVEN_EVIDENCE_KEY; the old key must be in "
            "HAVEN_EVIDENCE_OLD_KEYS until this has run",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "new-key":
            self.stdout.write(keys.new_key())
            return
        try:
            count = store.rotate()
            key_id = keys.current().id
        except (ImproperlyConfigured, store.EvidenceError) as exc:
            raise CommandError(str(exc)) from None
        record("evidence.rotate_key", details={"rewrapped": count, "key_id": key_id})
        self.stdout.write(f"re-wrapped {count} blob key(s) with key {key_id}")
