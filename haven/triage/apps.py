from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step
        from haven.intel.signals import subjects_relinked
        from haven.triage.actions import score_report, score_subjects_of

        def score_priority(report: Report) -> None:
            score_report(report)

        # After intel's linking step (INSTALLED_APPS lists intel first), so a report's subjects are known.
        register_step("score_priority", score_priority)

        def rescore_relinked(sender: object, members: list[int], **kwargs: object) -> None:
            score_subjects_of(members)

        # A strong reference: the function is local to ready(), and would be collected otherwise.
        subjects_relinked.connect(rescore_relinked, weak=False, dispatch_uid="triage.rescore_relinked")
