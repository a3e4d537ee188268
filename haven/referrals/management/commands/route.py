from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.referrals import forces
from haven.referrals.routing import RouteError, route_postcode


class Command(BaseCommand):
    help = (
        "Print the police force for a UK postcode: its code and full name on one line, or the candidate "
        "forces one a line where the postcode district crosses a force boundary."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("postcode", nargs="+", help="a postcode (M1 1AE) or a district (M1)")

    def handle(self, *args: Any, **options: Any) -> None:
        postcode = " ".join(options["postcode"])
        try:
            route = route_postcode(postcode)
        except RouteError as exc:
            raise CommandError(str(exc)) from None
        for code in route.forces:
            self.stdout.write(f"{code}\t{forces.names().get(code, code)}")
        if not route.settled:
            self.stderr.write(f"{route.reason}")
