"""The summaries hold what the case tables hold, and follow the pipeline and referrals as they happen."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Sum

from haven.accounts.models import User
from haven.grading.models import Decision, Stage
from haven.insights import summary
from haven.insights.models import ReportDay, Stale
from haven.insights.queries import Filters, media_dashboard
from haven.insights.synthetic import generate, grading_history
from haven.intake.actions import Processed, process_report
from haven.intake.models import MatchStatus, Report, ReportMedia
from haven.referrals.actions import send_referral
from haven.referrals.models import ProposedRoute
from haven.triage.models import Priority
from tests.conftest import Orgs
from tests.insights.conftest import FORCES
from tests.intake.conftest import submitted
from tests.intel.conftest import subject_of
from tests.referrals.test_referrals import grade_all

pytestmark = pytest.mark.django_db


def total(measure: str, **where: str) -> int:
    return ReportDay.objects.filter(**where).aggregate(n=Sum(measure))["n"] or 0


def test_the_summary_counts_what_the_case_tables_hold(orgs: Orgs) -> None:
    generate(600, start=date(2026, 6, 1), end=date(2026, 8, 31), forces=FORCES, seed=3)
    summary.rebuild()
    reports = list(Report.objects.all())
    assert total("reports") == len(reports) == 600
    for source, n in Counter(r.source for r in reports).items():
        assert total("reports", source=source) == n
    bands = Counter(Priority.objects.filter(report__isnull=False).values_list("effective_band", flat=True))
    assert len(bands) == 4
    for band, n in bands.items():
        assert total(band.lower()) == n
    for code in FORCES:
        assert total("reports", force=code) == ProposedRoute.objects.filter(force=code).count() > 0
    assert total("media_known") == ReportMedia.objects.filter(match_status=MatchStatus.KNOWN).count() > 0
    assert total("media_novel") == ReportMedia.objects.filter(match_status=MatchStatus.NOVEL).count() > 0
    young = sum(1 for r in reports if r.youngest_victim_age is not None and r.youngest_victim_age < 13)
    assert total("under_13") == young > 0
    tagged = sum(1 for r in reports if "generative_ai" in r.payload["incident"]["annotations"])
    assert total("generative_ai") == tagged > 0
    # Every day of the range has its rows and no other day does.
    days = set(ReportDay.objects.values_list("day", flat=True))
    assert min(days) >= date(2026, 6, 1) and max(days) <= date(2026, 8, 31)


def test_a_processed_report_marks_its_day_and_the_chore_summarises_it(orgs: Orgs) -> None:
    report = submitted(orgs.platform, "P1")
    Stale.objects.all().delete()
    assert process_report(report.pk, Processed())
    assert Stale.objects.filter(day=summary.day_of(report.received_at)).exists()
    assert summary.refresh_stale() == 1
    row = ReportDay.objects.get()
    report.refresh_from_db()
    assert (row.reports, row.platform, row.source) == (1, "Example Platform Ltd", "industry")
    assert (row.teen, row.under_13, row.sextortion) == (1, 0, 1)  # the victim is 13; annotated sextortion
    assert row.force == report.route.force != ""
    assert getattr(row, report.priority.effective_band.lower()) == 1
    assert row.triaged == 1 and not Stale.objects.exists()


def test_a_referral_counts_toward_the_deadline_share(orgs: Orgs, analyst: User) -> None:
    reports = [submitted(orgs.platform, "R1"), submitted(orgs.platform, "R2")]
    for report in reports:
        assert process_report(report.pk, Processed())
    grade_all(analyst, *reports)
    summary.refresh_stale()
    assert total("referred") == 0
    send_referral(subject_of("R1"), orgs.force_a, summary="Two reports of one adult.", actor=analyst)
    assert Stale.objects.exists()
    summary.refresh_stale()
    assert total("referred") == 2
    due = [r for r in reports if Priority.objects.get(report=r).deadline is not None]
    assert total("referral_due") == len(due) > 0
    assert total("referral_met") == len(due)  # sent at once, before any deadline


def test_grading_throughput_and_agreement_come_from_the_decisions(grader: User, supervisor: User) -> None:
    grading_history(grader, supervisor, start=date(2026, 6, 1), end=date(2026, 8, 31), clusters=60, seed=5)
    board = media_dashboard(Filters(start=date(2026, 6, 1), end=date(2026, 9, 30)))
    figures = {h.label: h for h in board.headlines}
    decisions = Decision.objects.all()
    files = sum(d.members for d in decisions)
    assert figures["Files graded"].value == f"{files:,}"
    second = decisions.filter(stage=Stage.SECOND)
    agreed = second.filter(outcome=Stage.DONE).count()
    assert 0 < agreed < second.count() == 60
    assert figures["Second graders agreeing"].value == f"{100 * agreed / 60:.1f}%"
    throughput = next(c for c in board.charts if c.slug == "grading-throughput")
    assert sum(v for _, _, v in throughput.rows) == files
