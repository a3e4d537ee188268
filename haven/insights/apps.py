from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "haven.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_save

        from haven.core.chores import register_chore
        from haven.insights.summary import mark_report, mark_reports, refresh_stale
        from haven.intake.models import Report
        from haven.referrals.models import ProposedRoute, Referral
        from haven.triage.models import Priority

        # Processing a report ends by saving it, so ``report_saved`` marks its day once the pipeline's steps
        # (band, route, readings) are done; the other signals catch later changes made outside the pipeline.
        register_chore("summarise_stale_days", 60, refresh_stale)

        def priority_saved(sender: object, instance: Priority, **kwargs: object) -> None:
            if instance.report_id is not None:
                mark_reports([instance.report_id])

        def report_saved(sender: object, instance: Report, **kwargs: object) -> None:
            mark_report(instance)

        def referral_reports(
            sender: object, instance: object, action: str, pk_set: set[int] | None = None, **kwargs: object
        ) -> None:
            if action == "post_add" and isinstance(instance, Referral):
                mark_reports(sorted(pk_set or ()))

        def route_saved(sender: object, instance: ProposedRoute, **kwargs: object) -> None:
            mark_reports([instance.report_id])

        post_save.connect(route_saved, sender=ProposedRoute, dispatch_uid="insights_route", weak=False)
        post_save.connect(priority_saved, sender=Priority, dispatch_uid="insights_priority", weak=False)
        post_save.connect(report_saved, sender=Report, dispatch_uid="insights_report", weak=False)
        m2m_changed.connect(
            referral_reports, sender=Referral.reports.through, dispatch_uid="insights_ref", weak=False
        )
