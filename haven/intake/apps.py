from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "haven.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from haven.core.chores import register_chore
        from haven.intake.actions import requeue_waiting_reports

        def requeue() -> int:
            return requeue_waiting_reports(
                waiting_longer_than=timedelta(seconds=settings.REQUEUE_AFTER_SECONDS)
            )

        register_chore("requeue_waiting_reports", 60, requeue)
