"""RFC 9457 problem details, as the API answers every error, and how its operations declare them.

Every status an operation can answer is declared in the OpenAPI document with this schema, so that a client
generated from the document, and schemathesis in CI, know every answer the API can give.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

# What each status means for every operation that declares it.
MEANING = {
    400: "the request cannot be read (a broken multipart body, a file part missing or repeated)",
    401: "no key, or a key that is unknown, wrong or revoked",
    403: "the key lacks the scope this operation needs",
    404: "no such report or list for this key's organisation",
    409: "the request conflicts with the stored state (a used external id, a finished report)",
    413: "the body or the file is larger than the limit",
    422: "a field is invalid: `errors` names each by its path",
}


class FieldError(Schema):
    path: str = Field(description="the field, as `reports[3].incident.type`; empty for the body as a whole")
    message: str
    type: str | None = None


class ProblemDetail(Schema):
    type: str = Field(description="`about:blank`, or a tag URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str = Field(description="the path of the request")
    errors: list[FieldError] | None = Field(None, description="422 only: every invalid field")


def problems(*statuses: int) -> dict[int, type[ProblemDetail]]:
    """The ``response`` entries of an operation's error statuses; authentication's (401, 403) and
    validation's (422) are added to every operation by ``haven.api``."""
    unknown = set(statuses) - set(MEANING)
    assert not unknown, f"no meaning written for {unknown}"
    return dict.fromkeys(statuses, ProblemDetail)


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every declared error response its meaning and the problem+json media type."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) in MEANING:
                    response["description"] = MEANING[int(status)]
                    content = response.get("content", {})
                    if "application/json" in content:
                        response["content"] = {"application/problem+json": content["application/json"]}
    return schema
