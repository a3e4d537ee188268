from __future__ import annotations

import secrets
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.actions import AccountError, create_user
from haven.accounts.models import Organisation, Role


class Command(BaseCommand):
    help = "Create a person's account. Staff set up two-factor authentication at their first sign-in."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--organisation",
            default="centre",
            help="organisation slug (default: centre, the national centre)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["organisation"]).first()
        if org is None:
            raise CommandError(
                f"no organisation {options['organisation']!r}; create it with `haven org create`"
            )
        generated = not options["password_stdin"]
        password = secrets.token_urlsafe(15) if generated else sys.stdin.readline().rstrip("\n")
        try:
            user = create_user(
                options["username"],
                role=options["role"],
                organisation=org,
                password=password,
                email=options["email"],
                one_time=generated,
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"created {user.username} ({user.role}, {org.slug})")
        if generated:
            self.stdout.write(f"password: {password}")
            self.stdout.write("(a one-time password: it must be changed at the first sign-in)")
