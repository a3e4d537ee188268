from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import Organisation, OrganisationKind
from haven.audit.actions import CommandLine
from haven.referrals import forces
from haven.referrals.actions import ReferralError, load_forces


class Command(BaseCommand):
    help = "The national register of police forces: load it (the shipped one, or --file) or list the forces."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="add the register's forces; again changes nothing")
        load.add_argument("--file", type=Path, help=f"a register CSV ({','.join(forces.COLUMNS)})")
        sub.add_parser("list", help="list the police forces: code, then name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for org in Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("slug"):
                self.stdout.write(f"{org.slug}\t{org.name}")
            return
        path: Path = options["file"] or forces.REGISTER
        try:
            with path.open(encoding="utf-8", newline="") as stream:
                register = list(forces.read(stream))
            counts = load_forces(register, actor=CommandLine())
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        except (forces.RegisterError, ReferralError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(
            f"{path}: {len(register)} forces: {counts['added']} added, {counts['renamed']} renamed, "
            f"{counts['unchanged']} unchanged"
        )
