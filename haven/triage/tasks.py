from __future__ import annotations

from django_tasks import task

from haven.triage.actions import rescore_all


@task()
def rescore() -> dict[str, int]:
    """Score every report and subject again with the weights in force (after a supervisor changes them).
    Safe to run twice: the result depends only on the facts and the weights."""
    return {"scored": rescore_all()}
