"""API authentication: bearer keys for partner organisations, with scopes; and the centre's staff by their
signed-in session, with a permission."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from haven.accounts.actions import Scope, find_api_key
from haven.accounts.middleware import needs_second_factor, session_too_old
from haven.accounts.models import ApiKey, OrganisationKind, User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.core.access import Permission


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


class StaffSession(SessionAuth):
    """The centre's staff, signed in through the staff pages (password and second factor, within the
    session's limits), holding ``permission``. For reading only: the staff API has no unsafe methods, so
    a cross-site page cannot act with the session.

    No session, or one not through its second factor, is a 401; a session without the permission a 403,
    audited as the staff pages audit it.
    """

    def __init__(self, permission: Permission) -> None:
        super().__init__(csrf=True)
        self.permission = permission

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if session_too_old(request) or needs_second_factor(user) or user.password_is_one_time:
            return None
        if user.organisation.kind != OrganisationKind.CENTRE or not has_permission(user, self.permission):
            record("access.denied", request=request, details={"path": request.path[:200],
                                                              "needed": str(self.permission)})  # fmt: skip
            raise AuthorizationError(message=f"this account lacks the permission {self.permission}")
        return user


def staff_of(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "endpoint is missing StaffSession"
    return user
