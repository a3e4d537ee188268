from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"
    verbose_name = "Haven core"

    def ready(self) -> None:
        from haven.core.chores import register_chore
        from haven.core.jobs import give_up_lost_jobs

        register_chore("give_up_lost_jobs", 60, give_up_lost_jobs)
