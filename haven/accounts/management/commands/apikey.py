from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.actions import SCOPES, AccountError, create_api_key, revoke_api_key
from haven.accounts.models import ApiKey, Organisation


class Command(BaseCommand):
    help = "Create, list and revoke partner API keys. A new key is shown once, alone on the last line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="make a key; its secret is printed once and never stored")
        create.add_argument("--organisation", required=True, help="organisation slug")
        create.add_argument("--scope", action="append", required=True, choices=SCOPES, dest="scopes")
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a key by its id or prefix")
        revoke.add_argument("key", help="the key's id or its 8-character prefix")
        lister = sub.add_parser("list", help="list keys (never their secrets)")
        lister.add_argument("--organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        org = Organisation.objects.filter(slug=options["organisation"]).first()
        if org is None:
            raise CommandError(f"no organisation {options['organisation']!r}")
        try:
            new = create_api_key(org, options["scopes"], name=options["name"])
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"created key {new.key.pk} ({new.key.prefix}) for {org.slug}: {', '.join(new.key.scopes)}"
        )
        self.stdout.write("store this key now; it cannot be shown again:")
        self.stdout.write(new.secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        ref = options["key"]
        key = ApiKey.objects.filter(prefix=ref).first()
        if key is None and ref.isdigit():
            key = ApiKey.objects.filter(pk=int(ref)).first()
        if key is None:
            raise CommandError(f"no API key with id or prefix {ref!r}")
        key = revoke_api_key(key)
        self.stdout.write(f"revoked key {key.pk} ({key.prefix}) at {key.revoked_at:%Y-%m-%d %H:%M:%S %Z}")

    def _list(self, options: dict[str, Any]) -> None:
        keys = ApiKey.objects.select_related("organisation").order_by("pk")
        if options["organisation"]:
            keys = keys.filter(organisation__slug=options["organisation"])
        for key in keys:
            state = "revoked" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"{key.pk}\t{key.prefix}\t{key.organisation.slug}\t{state}\t{','.join(key.scopes)}\t{used}"
            )
