from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "haven.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from haven.core.chores import register_chore
        from haven.referrals.actions import remind_unacknowledged

        register_chore("remind_unacknowledged_referrals", 300, remind_unacknowledged)
