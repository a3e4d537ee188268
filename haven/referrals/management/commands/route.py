from __future__ import annotations

import csv
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.referrals import agencies, forces
from haven.referrals.routing import AGENCIES, POLICE, RouteError, check_routes, route_postcode


class Command(BaseCommand):
    help = (
        "Print the police force for a UK postcode: its code and full name on one line, or the candidate "
        "forces one a line where the postcode district crosses a force boundary. With --agency, the "
        "children's services (the local authority, or in Northern Ireland the trust) responsible for a "
        "child there instead. With --check FILE.csv (columns postcode,force, or postcode,agency with "
        "--agency), measure how often the tables route to the known one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("postcode", nargs="*", help="a postcode (M1 1AE) or a district (M1)")
        parser.add_argument(
            "--agency", action="store_true", help="route a child: to children's services, not a force"
        )
        parser.add_argument(
            "--check", type=Path, metavar="FILE", help="a CSV of postcode,force (or agency) to measure"
        )
        parser.add_argument(
            "--min", type=float, default=95.0, help="with --check: fail below this percentage (95)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = options["agency"]
        if options["check"] is not None:
            self._check(options["check"], options["min"], "agency" if agency else "force")
            return
        postcode = " ".join(options["postcode"])
        try:
            route = route_postcode(postcode, AGENCIES if agency else POLICE)
        except RouteError as exc:
            raise CommandError(str(exc)) from None
        for code in route.codes:
            name = agencies.label(code) if agency else forces.names().get(code, code)
            self.stdout.write(f"{code}\t{name}")
        if not route.settled:
            self.stderr.write(f"{route.reason}")

    def _check(self, path: Path, minimum: float, column: str) -> None:
        try:
            with path.open(encoding="utf-8", newline="") as stream:
                reader = csv.DictReader(stream)
                missing = {"postcode", column} - set(reader.fieldnames or [])
                if missing:
                    raise CommandError(f"{path}: no column {', '.join(sorted(missing))} in the header")
                rows = [(row["postcode"] or "", (row[column] or "").strip()) for row in reader]
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        check = check_routes(rows, AGENCIES if column == "agency" else POLICE)
        for postcode, expected, routed in check.wrong:
            self.stdout.write(f"wrong\t{postcode}\texpected {expected}\trouted {routed}")
        percent = 100 * check.accuracy
        self.stdout.write(
            f"{path}: {check.total} postcodes: {check.settled} routed to their {column}, {check.offered} "
            f"offered it among a boundary's candidates, {len(check.wrong)} wrong; {percent:.1f}% right"
        )
        if not check.total or percent < minimum:
            raise CommandError(f"{path}: {percent:.1f}% right, below the {minimum:g}% required")
