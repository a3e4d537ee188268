"""Start-up checks of the evidence store's settings, run by every `haven` command that starts a process
(serve, worker, migrate and the rest; `haven evidence new-key` excepted)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=False)
def evidence_key_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Outside the demo, a server without the evidence master key would accept reports and then fail at
    their first upload: it does not start."""
    if settings.DEBUG or settings.EVIDENCE_KEY:
        return []
    return [
        Error(
            "HAVEN_EVIDENCE_KEY is not set: the evidence store cannot encrypt or read a file without it.",
            hint="Set HAVEN_EVIDENCE_KEY (or HAVEN_EVIDENCE_KEY_FILE) to a key from `haven evidence new-key`",
            id="haven.E001",
        )
    ]
