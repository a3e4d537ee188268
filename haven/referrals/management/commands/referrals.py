from __future__ import annotations

import os
import uuid
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import CommandLine, record
from haven.referrals.models import Referral, SafeguardingReferral
from haven.referrals.package import render_pdf, render_safeguarding_pdf


class Command(BaseCommand):
    help = (
        "Referrals, to police forces (REF-) and to children's services (SGR-): list them, or write one's "
        "package as a PDF (audited, like a download)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="list the referrals: reference, state, force or agency, sent")
        package = sub.add_parser("package", help="write a referral's package as a PDF")
        package.add_argument("reference", help="the referral's reference, REF-… or SGR-…")
        package.add_argument("--output", type=Path, required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            rows = [
                (r.sent_at, r.reference, r.state, r.force.slug)
                for r in Referral.objects.select_related("force")
            ]
            rows += [(s.sent_at, s.reference, s.state, s.agency.slug)
                     for s in SafeguardingReferral.objects.select_related("agency")]  # fmt: skip
            for sent_at, reference, state, to in sorted(rows):
                self.stdout.write(f"{reference}\t{state}\t{to}\t{sent_at:%Y-%m-%d %H:%M}")
            return
        referral = find(options["reference"])
        output: Path = options["output"]
        pdf = render_pdf(referral) if isinstance(referral, Referral) else render_safeguarding_pdf(referral)
        try:
            # Created for this one user to read: the package is a copy of the case.
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as stream:
                stream.write(pdf)
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror or exc}") from None
        action = "referrals.package" if isinstance(referral, Referral) else "referrals.safeguarding_package"
        record(action, actor=CommandLine(), obj=referral,
               details={"format": "pdf", "bytes": len(pdf), "file": str(output)})  # fmt: skip
        self.stdout.write(f"{output}: the package of {referral.reference}, {len(pdf):,} bytes")


def find(reference: str) -> Referral | SafeguardingReferral:
    text = reference.strip().upper()
    prefix, code = text[:4], text[4:]
    if prefix not in ("REF-", "SGR-") or len(code) != 10 or any(c not in "0123456789ABCDEF" for c in code):
        raise CommandError(
            f"{reference}: not a referral reference (REF- or SGR-, and ten hexadecimal digits)"
        )
    # The reference is the uid's first ten digits: the uids between the lowest and highest with them.
    low, high = uuid.UUID(code.ljust(32, "0")), uuid.UUID(code.ljust(32, "F"))
    window = {"uid__gte": low, "uid__lte": high}
    matches: list[Referral | SafeguardingReferral] = list(
        Referral.objects.filter(**window)[:2]
        if prefix == "REF-"
        else SafeguardingReferral.objects.filter(**window)[:2]
    )
    if len(matches) != 1:
        raise CommandError(f"{reference}: no such referral" if not matches else f"{reference}: ambiguous")
    return matches[0]
