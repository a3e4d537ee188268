from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "haven.grading"
    label = "grading"
    verbose_name = "Grading"

    def ready(self) -> None:
        from haven.core.chores import register_chore
        from haven.grading.actions import queue_novel_media, queue_scanned, recluster_if_new
        from haven.hashbank.scan import register_novel_sink
        from haven.intake.models import Report
        from haven.intake.pipeline import register_step

        def queue_scan(rows: list[dict[str, object]], blobs: dict[str, int]) -> int:
            queued = len(queue_scanned(rows, blobs=blobs))
            recluster_if_new()
            return queued

        register_novel_sink(queue_scan)
        # New items wait alone until a worker groups them with their near-duplicates.
        register_chore("cluster_grading_queue", 60, recluster_if_new)

        def queue_novel(report: Report) -> None:
            queue_novel_media(report)

        # After triage's scoring (INSTALLED_APPS lists triage first), so the queue knows the report's band.
        register_step("queue_novel_media", queue_novel)
