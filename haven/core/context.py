from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"exit_page_url": settings.EXIT_PAGE_URL, "demo_skip_2fa": settings.DEMO_SKIP_2FA}
