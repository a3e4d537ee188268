from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from haven.accounts.demo import DEMO_API_KEY, seed
from haven.audit.actions import CommandLine
from haven.audit.tasks import verify_audit_chain
from haven.grading.demo import seed as seed_grading
from haven.hashbank.demo import seed as seed_bank
from haven.insights.demo import seed as seed_insights
from haven.intake.demo import seed as seed_reports
from haven.intake.demo import seed_self_referral
from haven.intake.models import Report, ReportStatus
from haven.intake.tasks import process_reports
from haven.referrals import agencies, forces
from haven.referrals.actions import load_forces
from haven.referrals.demo import seed as seed_referrals
from haven.referrals.demo import seed_safeguarding
from haven.referrals.safeguarding import load_agencies


class Command(BaseCommand):
    help = "Seed synthetic demo data (idempotent) and print the demo logins. Starts no server."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed()
        # The national register of forces, beside the two demo forces (real names, invented contacts).
        load_forces(forces.shipped(), actor=CommandLine())
        load_agencies(agencies.shipped(), actor=CommandLine())
        records = seed_bank()
        reports = seed_reports()
        # The demo referrals need linked subjects, so the demo reports are processed here rather than left
        # to the worker; the job already queued for them then finds nothing to do.
        received = Report.objects.filter(external_id__startswith="DEMO-", status=ReportStatus.RECEIVED)
        process_reports.call(list(received.values_list("id", flat=True)))
        referrals = seed_referrals()
        safeguarding = seed_safeguarding()
        self_referral = seed_self_referral()
        grading = seed_grading()
        insights = seed_insights()
        transaction.on_commit(verify_audit_chain.enqueue)
        self.stdout.write("Demo logins (password = haven-demo-<username>):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password:<24}  {login.role} at {login.organisation}"
            )
        self.stdout.write(f"Demo API key (example-platform): {DEMO_API_KEY}")
        self.stdout.write(f"Demo hash bank: {records} records of generated pictures in the national list")
        self.stdout.write(
            f"Demo reports: {reports} synthetic reports from example-platform, processed and linked"
        )
        self.stdout.write(f"Demo referrals: {referrals}, one demo person sent to both demo forces")
        self.stdout.write(
            f"Demo safeguarding referral: the most urgent demo child, sent to {safeguarding or 'no agency'} "
            "(sign in as safeguarding)"
        )
        self.stdout.write(
            f"Demo self-referral: {self_referral}, two generated pictures waiting for grading "
            "(check it at /remove/status/)"
        )
        self.stdout.write(
            f"Demo grading queue: {grading['first']} cluster(s) of generated pictures for a first grader, "
            f"{grading['second']} for a second (sign in as grader or supervisor, then Grading)"
        )
        self.stdout.write(
            f"Demo insights: {insights['reports']} synthetic reports over 26 weeks, "
            f"{insights['referrals']} closed referrals, one rising series (supervisor, then Insights)"
        )
