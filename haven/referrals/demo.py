"""Demo referrals: the most reported demo person, graded and sent to both demo forces, so that each demo
liaison officer sees a case and is told that the other force holds the same person."""

from __future__ import annotations

from django.db import transaction

from haven.accounts.models import Organisation, User
from haven.intake.models import Report, ReportStatus
from haven.intel.actions import grade_report
from haven.intel.models import Grading, Member
from haven.referrals.actions import acknowledge_referral, send_referral
from haven.referrals.models import Referral

CONDITIONS = "Demo condition: not to be shared outside policing without the centre's consent."


@transaction.atomic
def seed() -> int:
    """Once the demo reports are processed: grade them and refer the busiest subject; returns how many
    referrals exist. Does nothing if there are referrals already, or the reports are not linked yet."""
    if Referral.objects.exists():
        return Referral.objects.count()
    analyst = User.objects.filter(username="analyst").first()
    forces = [Organisation.objects.filter(slug=s).first() for s in ("greater-manchester", "west-yorkshire")]
    liaison = User.objects.filter(username="manchester").first()
    demo = Report.objects.filter(external_id__startswith="DEMO-", status=ReportStatus.PROCESSED)
    member = Member.objects.filter(report__in=demo, subject__isnull=False).order_by("report__received_at")
    first = member.first()
    if analyst is None or liaison is None or None in forces or first is None or first.subject is None:
        return 0
    subject = first.subject
    for i, report in enumerate(demo.filter(members__subject=subject).order_by("received_at")):
        if not Grading.objects.filter(report=report).exists():
            handling = "C" if i == 0 else "P"
            grade_report(
                report,
                source="B",
                assessment="3",
                handling=handling,
                conditions=CONDITIONS if handling == "C" else "",
                actor=analyst,
            )
    manchester, yorkshire = forces
    assert manchester is not None and yorkshire is not None
    held = send_referral(
        subject,
        manchester,
        summary="Demo: one adult account, seen in four platform reports, messaging children.",
        actor=analyst,
    )
    acknowledge_referral(held, actor=liaison)
    send_referral(
        subject,
        yorkshire,
        summary="Demo: a later report places the same adult in West Yorkshire's area.",
        actor=analyst,
    )
    return Referral.objects.count()
