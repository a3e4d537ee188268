from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.actions import AccountError, create_organisation
from haven.accounts.models import Organisation, OrganisationKind


class Command(BaseCommand):
    help = "Create and list organisations: the centre, police forces, industry partners and hotlines."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="add an organisation")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=OrganisationKind.values)
        sub.add_parser("list", help="list organisations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "create":
            try:
                org = create_organisation(options["slug"], options["name"], options["kind"])
            except AccountError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"created {org.slug} ({org.kind})")
            return
        for org in Organisation.objects.order_by("slug"):
            self.stdout.write(f"{org.slug}\t{org.kind}\t{org.name}")
