from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "haven.evidence"
    label = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        from haven.core.chores import register_chore
        from haven.evidence import checks  # noqa: F401  (registers the start-up check)
        from haven.evidence.actions import sweep_incoming, sweep_unreferenced_blobs

        register_chore("sweep_unreferenced_blobs", 3600, sweep_unreferenced_blobs)
        register_chore("sweep_incoming_uploads", 3600, sweep_incoming)
