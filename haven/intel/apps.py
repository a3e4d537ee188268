from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "haven.intel"
    label = "intel"
    verbose_name = "Intelligence"

    def ready(self) -> None:
        from haven.intake.pipeline import register_step
        from haven.intel.linking import link_report

        register_step("link_identifiers", link_report)
