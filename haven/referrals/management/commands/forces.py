from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import Organisation, OrganisationKind
from haven.audit.actions import AuditActor, CommandLine
from haven.referrals import forces
from haven.referrals.actions import ReferralError, load_forces


class RegisterCommand(BaseCommand):
    """Load a register shipped as data (or a file in its format), or list what is loaded."""

    noun = "forces"
    kind = OrganisationKind.POLICE_FORCE
    columns: tuple[str, ...] = forces.COLUMNS
    shipped: Path = forces.REGISTER
    read: Callable[[IO[str]], Iterator[Any]] = staticmethod(forces.read)
    load: Callable[..., dict[str, int]] = staticmethod(load_forces)

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="add the register's entries; again changes nothing")
        load.add_argument("--file", type=Path, help=f"a register CSV ({','.join(self.columns)})")
        sub.add_parser("list", help=f"list the {self.noun}: code, then name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for org in Organisation.objects.filter(kind=self.kind).order_by("slug"):
                self.stdout.write(f"{org.slug}\t{org.name}")
            return
        path: Path = options["file"] or self.shipped
        actor: AuditActor = CommandLine()
        try:
            with path.open(encoding="utf-8", newline="") as stream:
                register = list(self.read(stream))
            counts = self.load(register, actor=actor)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        except (forces.RegisterError, ReferralError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(
            f"{path}: {len(register)} {self.noun}: {counts['added']} added, {counts['renamed']} renamed, "
            f"{counts['unchanged']} unchanged"
        )


class Command(RegisterCommand):
    help = "The national register of police forces: load it (the shipped one, or --file) or list the forces."
