"""Haven's HTTP API at /api/v1: partner-key authentication and RFC 9457 problem+json errors."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from haven.core.paths import json_path
from haven.core.problems import ProblemDetail, describe
from haven.hashbank.api import router as hashbank_router
from haven.intake.api import router as reports_router
from haven.staff_api import router as staff_router

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}

# Every operation needs a key with a scope, takes a body or parameters, and reads a body of limited size.
EVERY_OPERATION = (401, 403, 413, 422)
STAFF_PREFIX = "/api/v1/staff/"


class HavenAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """The document, with the errors every operation can answer declared on each (the operations
        declare their own), each as RFC 9457 problem details."""
        schema = super().get_openapi_schema(**kwargs)
        problem = {"$ref": "#/components/schemas/ProblemDetail"}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        definition = ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, nested in definition.pop("$defs", {}).items():
            components.setdefault(name, nested)
        components.setdefault("ProblemDetail", definition)
        for route, path in schema.get("paths", {}).items():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                statuses = list(EVERY_OPERATION)
                if "requestBody" in operation:
                    statuses.append(400)  # a body that is not JSON, or not readable multipart
                if "{" in route:
                    statuses.append(404)  # no such report or list for this key
                for status in statuses:
                    responses.setdefault(status, {"content": {"application/json": {"schema": problem}}})
        describe(schema)
        return schema


api = HavenAPI(
    title="Haven API",
    version="1",
    description=(
        "Reports in, hash lists out. Authenticate with `Authorization: Bearer <key>`; keys are issued per "
        "organisation with scopes. The `staff` operations are for the centre's own tools: they take the "
        "session of a signed-in member of staff, never a key. Errors are RFC 9457 problem details."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", reports_router)
api.add_router("", hashbank_router)
api.add_router("", staff_router)


def problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_JSON
    return response


def field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    """``["body", "payload", "incident", "type"]`` → ``incident.type``; list indexes join as ``[0]``."""
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)  # the handler's parameter name, which the client never sees
    return json_path(parts)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "path": field_path(error.get("loc", [])),
            "message": str(error.get("msg", "invalid")),
            "type": error.get("type"),
        }
        for error in exc.errors
    ]
    return problem(
        request,
        422,
        "Validation failed",
        "; ".join(f"{e['path'] or '(body)'}: {e['message']}" for e in errors),
        errors=errors,
        type="tag:haven,2026:problem:validation",
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.path.startswith(STAFF_PREFIX):
        detail = "Sign in to the staff pages, through the second factor, and send the session cookie."
        return problem(request, 401, "Unauthorized", detail)
    response = problem(
        request, 401, "Unauthorized", "Send a valid, unrevoked API key as `Authorization: Bearer <key>`."
    )
    response["WWW-Authenticate"] = 'Bearer realm="haven"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    titles = {
        400: "Bad request",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        413: "Payload too large",
    }
    return problem(request, exc.status_code, titles.get(exc.status_code, "Error"), exc.message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(request, 413, "Payload too large", f"(body): larger than the {limit:,}-byte limit")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never show a stack trace to a client: log it, and answer with a bare 500.
    log.exception("unhandled error in %s %s", request.method, request.path)
    return problem(request, 500, "Internal server error", "The error was logged. Retry later.")
