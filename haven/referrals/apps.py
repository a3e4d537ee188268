from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "haven.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from haven.core.chores import register_chore
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step
        from haven.referrals.actions import propose_route, remind_unacknowledged
        from haven.referrals.safeguarding import remind_overdue

        register_chore("remind_unacknowledged_referrals", 300, remind_unacknowledged)
        register_chore("remind_overdue_safeguarding_referrals", 300, remind_overdue)

        def route(report: Report) -> None:
            propose_route(report)

        # After triage's scoring (INSTALLED_APPS lists triage first).
        register_step("propose_route", route)
