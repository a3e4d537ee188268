from __future__ import annotations

import os
import uuid
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import CommandLine, record
from haven.referrals.models import Referral
from haven.referrals.package import render_pdf


class Command(BaseCommand):
    help = "Referrals: list them, or write one's package as a PDF (audited, like a download)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="list the referrals: reference, state, force, sent")
        package = sub.add_parser("package", help="write a referral's package as a PDF")
        package.add_argument("reference", help="the referral's reference, REF-…")
        package.add_argument("--output", type=Path, required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for r in Referral.objects.select_related("force").order_by("sent_at", "id"):
                self.stdout.write(f"{r.reference}\t{r.state}\t{r.force.slug}\t{r.sent_at:%Y-%m-%d %H:%M}")
            return
        referral = find(options["reference"])
        output: Path = options["output"]
        pdf = render_pdf(referral)
        try:
            # Created for this one user to read: the package is a copy of the case.
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as stream:
                stream.write(pdf)
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror or exc}") from None
        record("referrals.package", actor=CommandLine(), obj=referral,
               details={"format": "pdf", "bytes": len(pdf), "file": str(output)})  # fmt: skip
        self.stdout.write(f"{output}: the package of {referral.reference}, {len(pdf):,} bytes")


def find(reference: str) -> Referral:
    code = reference.strip().upper().removeprefix("REF-")
    if len(code) != 10 or any(c not in "0123456789ABCDEF" for c in code):
        raise CommandError(f"{reference}: not a referral reference (REF- and ten hexadecimal digits)")
    # The reference is the uid's first ten digits: the uids between the lowest and highest with them.
    low, high = uuid.UUID(code.ljust(32, "0")), uuid.UUID(code.ljust(32, "F"))
    found = Referral.objects.filter(uid__gte=low, uid__lte=high).select_related("force", "hold")
    matches = list(found[:2])
    if len(matches) != 1:
        raise CommandError(f"{reference}: no such referral" if not matches else f"{reference}: ambiguous")
    return matches[0]
