"""Bearer-key authentication for partner organisations, with scopes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from haven.accounts.actions import Scope, find_api_key
from haven.accounts.models import ApiKey


class ApiKeyAuth(HttpBearer):
    """Accepts ``Authorization: Bearer <key>`` for an active key holding any one of ``scopes``.

    No key, an unknown key or a revoked key is a 401; a good key without the scope is a 403.
    """

    def __init__(self, *scopes: Scope) -> None:
        super().__init__()
        self.scopes = frozenset(scopes)

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = find_api_key(token)
        if key is None:
            return None
        if self.scopes and not self.scopes.intersection(key.scopes):
            needed = " or ".join(sorted(self.scopes))
            raise AuthorizationError(message=f"this API key lacks the scope {needed}")
        return key


def api_key_of(request: HttpRequest) -> ApiKey:
    key = getattr(request, "auth", None)
    assert isinstance(key, ApiKey), "endpoint is missing ApiKeyAuth"
    return key
