from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.actions import reset_sign_in
from haven.accounts.models import User
from haven.audit.actions import CommandLine


class Command(BaseCommand):
    help = (
        "Give a person who lost their authenticator or password a new one-time password; their "
        "authenticators are removed, so their next sign-in sets up a new one, then their own password."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        password = secrets.token_urlsafe(15)
        removed = reset_sign_in(user, password, actor=CommandLine())
        self.stdout.write(f"reset {user.username}: {removed} authenticator(s) removed")
        self.stdout.write(f"password: {password}")
        self.stdout.write("(a one-time password: it must be changed at the first sign-in)")
