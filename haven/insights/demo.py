"""Demo history for the dashboards: six months of synthetic reports from invented platforms, with
sextortion of under-13s on one platform rising over the last five weeks, closed referrals to both demo
forces with their outcomes, graded clusters with two graders' decisions, and the summaries made.
Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.insights import summary
from haven.insights.synthetic import EXTERNAL, Rise, generate, grading_history, referrals
from haven.intake.models import Report

DEMO_FORCES = ("greater-manchester", "west-yorkshire")
REPORTS = 4000


def seed() -> dict[str, int]:
    if Report.objects.filter(external_id__startswith=EXTERNAL).exists():
        return {"reports": Report.objects.filter(external_id__startswith=EXTERNAL).count(), "referrals": 0}
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    made = generate(REPORTS, start=monday - timedelta(weeks=26), end=monday - timedelta(days=1),
                    forces=list(DEMO_FORCES), seed=2026, rise=Rise())  # fmt: skip
    forces = list(Organisation.objects.filter(slug__in=DEMO_FORCES))
    analyst = User.objects.filter(username="analyst").first()
    sent = referrals(forces, sent_by=analyst, seed=2026) if analyst and forces else 0
    grader, supervisor = (User.objects.filter(username=u).first() for u in ("grader", "supervisor"))
    if grader and supervisor:
        start, end = monday - timedelta(weeks=26), monday - timedelta(days=1)
        grading_history(grader, supervisor, start=start, end=end, seed=2026)
    summary.rebuild()
    return {"reports": made, "referrals": sent}
