"""Responses that no browser or proxy keeps: what a child on a shared tablet looked at must not be found in
its cache afterwards, and a partner's hash list must not sit in a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``no-cache``, ``must-revalidate`` and ``private``) on every response
    that does not say otherwise. Static files never reach it: WhiteNoise, before it, answers them with their
    own long-lived caching, and they hold nothing about anyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
