from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "haven.grading"
    label = "grading"
    verbose_name = "Grading"

    def ready(self) -> None:
        from haven.grading.actions import queue_novel_media
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step

        def queue_novel(report: Report) -> None:
            queue_novel_media(report)

        # After triage's scoring (INSTALLED_APPS lists triage first), so the queue knows the report's band.
        register_step("queue_novel_media", queue_novel)
