from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "haven.intel"
    label = "intel"
    verbose_name = "Intelligence"

    def ready(self) -> None:
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step
        from haven.intel.linking import link_report

        def link_identifiers(report: Report) -> None:
            link_report(report)

        register_step("link_identifiers", link_identifiers)
