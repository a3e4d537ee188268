"""Nothing stuck: a report that cannot be processed fails alone, with its reason, and a supervisor can send
it again; a report whose job was lost gets a new one; a job whose worker died is given up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.core.jobs import give_up_lost_jobs
from haven.evidence import store
from haven.intake.actions import attach_file, finish_report
from haven.intake.models import Report
from tests.conftest import Orgs
from tests.intake.conftest import submitted


@pytest.mark.django_db(transaction=True)
def test_a_report_that_cannot_be_processed_fails_alone_and_can_be_sent_again(
    orgs: Orgs, settings: Any, tmp_path: Path, sign_in: Callable[..., Client], supervisor: User,
    analyst: User,
) -> None:  # fmt: skip
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    bad = submitted(orgs.platform, "BAD-1", finished=False)
    blob = store.put(b"an image that will be damaged on disk " * 30).blob
    attach_file(bad, blob, file_name="damaged.jpg")
    path = store.path_of(blob.sha256)
    good_bytes = path.read_bytes()
    path.write_bytes(good_bytes[:-20] + b"\0" * 20)  # the file no longer passes its integrity check
    before = submitted(orgs.platform, "GOOD-1", finished=False)
    after = submitted(orgs.platform, "GOOD-2", finished=False)
    # One job for all three, in this order: the bad one in the middle.
    for report in (before, bad, after):
        Report.objects.filter(pk=report.pk).update(status="received", finished_at=timezone.now())
    from haven.intake.tasks import process_reports  # noqa: PLC0415

    process_reports.enqueue([before.pk, bad.pk, after.pk])
    call_command("worker", "--burst")

    statuses = dict(Report.objects.values_list("external_id", "status"))
    assert statuses == {"GOOD-1": "processed", "BAD-1": "failed", "GOOD-2": "processed"}
    bad.refresh_from_db()
    assert bad.failure.startswith("match_media: EvidenceError") and bad.failures == 1
    assert AuditEntry.objects.filter(action="intake.report_failed", object_id=str(bad.pk)).exists()

    # The analysts' inbox lists it among the failed, and its page says why.
    inbox = sign_in(analyst).get("/staff/reports/?status=failed").content.decode()
    assert str(bad.uid)[:8] in inbox and str(before.uid)[:8] not in inbox
    page = sign_in(analyst).get(f"/staff/reports/{bad.uid}/").content.decode()
    assert "match_media: EvidenceError" in page and "Process it again" not in page
    assert sign_in(analyst).post(f"/staff/reports/{bad.uid}/retry/").status_code == 403

    path.write_bytes(good_bytes)  # the cause is fixed
    boss = sign_in(supervisor)
    assert "Process it again" in boss.get(f"/staff/reports/{bad.uid}/").content.decode()
    assert boss.post(f"/staff/reports/{bad.uid}/retry/").status_code == 302
    call_command("worker", "--burst")
    bad.refresh_from_db()
    assert (bad.status, bad.failure) == ("processed", "")
    assert boss.post(f"/staff/reports/{bad.uid}/retry/").status_code == 302  # not failed: refused, no change
    assert Report.objects.get(pk=bad.pk).status == "processed"


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_job_was_lost_gets_a_new_one(orgs: Orgs, settings: Any) -> None:
    settings.REQUEUE_AFTER_SECONDS = 60
    report = submitted(orgs.platform, "LOST-1")
    waiting = submitted(orgs.platform, "WAITING-1")
    DBTaskResult.objects.all().delete()  # both jobs lost, as if the process died before the worker ran
    Report.objects.filter(pk=report.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    call_command("worker", "--burst")  # the chores run first
    assert Report.objects.get(pk=report.pk).status == "processed"
    # A report queued a moment ago is left to its own job, which may still be on its way.
    assert Report.objects.get(pk=waiting.pk).status == "received"


@pytest.mark.django_db(transaction=True)
def test_the_job_is_made_in_the_reports_own_transaction(orgs: Orgs) -> None:
    report = submitted(orgs.platform, "JOB-1", finished=False)
    finish_report(report)
    (job,) = DBTaskResult.objects.all()
    assert job.args_kwargs["args"] == [[report.pk]]
    assert Report.objects.get(pk=report.pk).queued_at is not None


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_given_up(orgs: Orgs) -> None:
    submitted(orgs.platform, "DEAD-1")
    job = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=job.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    fresh = submitted(orgs.platform, "ALIVE-1")
    DBTaskResult.objects.exclude(pk=job.pk).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert give_up_lost_jobs(running_longer_than=timedelta(hours=1)) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED and "worker was lost" in job.traceback
    assert DBTaskResult.objects.exclude(pk=job.pk).get().status == TaskResultStatus.RUNNING
    assert fresh.status == "received"
