"""CSRF checks that work with ``Referrer-Policy: no-referrer``.

Under that policy a browser sends ``Origin: null`` on a same-origin form POST, and no Referer at all, so
Django's stock origin check refuses every form. The browser also sends ``Sec-Fetch-Site``, which page scripts
cannot set: when it says ``same-origin`` the ``null`` origin is our own page. The CSRF token is still checked
against the cookie as usual; only the origin test is relaxed, and only for that case.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    # _origin_verified is a private hook of Django's middleware (stable since 4.0); django-stubs omits it.
    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        return bool(super()._origin_verified(request))  # type: ignore[misc]  # private hook, see above
