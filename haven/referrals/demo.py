"""Demo referrals: the most reported demo person, graded and sent to both demo forces, so that each demo
liaison officer sees a case and is told that the other force holds the same person; and the most urgent
demo child, referred to the children's services their location routes to (Manchester, whose demo
safeguarding liaison then sees it, and the police referral beside it)."""

from __future__ import annotations

from django.db import transaction

from haven.accounts.models import Organisation, User
from haven.intake.models import Report, ReportStatus
from haven.intel.actions import grade_report
from haven.intel.models import Grading, Member
from haven.referrals.actions import acknowledge_referral, send_referral
from haven.referrals.models import Referral, SafeguardingReferral
from haven.referrals.safeguarding import proposed_agency, send_safeguarding_referral
from haven.triage.models import Priority

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


DEMO_AGENCY = "cs-manchester"


@transaction.atomic
def seed_safeguarding() -> str:
    """Refer the most urgent demo report's child to children's services, once; returns the agency's name,
    or "" if the demo reports are not scored yet."""
    done = SafeguardingReferral.objects.select_related("agency").first()
    if done is not None:
        return done.agency.name
    analyst = User.objects.filter(username="analyst").first()
    demo = Report.objects.filter(external_id__startswith="DEMO-", status=ReportStatus.PROCESSED)
    urgent = (
        Priority.objects.filter(report__in=demo)
        .select_related("report")
        .order_by("effective_band", "-score", "report__received_at")
        .first()
    )
    if analyst is None or urgent is None or urgent.report is None:
        return ""
    report = urgent.report
    if not Grading.objects.filter(report=report).exists():
        grade_report(report, source="B", assessment="2", handling="P", conditions="", actor=analyst)
    routed, _, _ = proposed_agency(report)
    agency = routed or Organisation.objects.get(slug=DEMO_AGENCY)
    send_safeguarding_referral(
        report,
        agency,
        summary=(
            "Demo: a platform reported an adult account messaging this child, asking for secrecy and to meet "
            "after school. The platform reported imminent danger. The centre knows of it from the platform's "
            "report and the messages it attached."
        ),
        actor=analyst,
    )
    return agency.name
