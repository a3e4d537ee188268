from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step
        from haven.triage.actions import score_report

        def score_priority(report: Report) -> None:
            score_report(report)

        # After intel's linking step (INSTALLED_APPS lists intel first), so a report's subjects are known.
        register_step("score_priority", score_priority)
