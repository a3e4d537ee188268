"""Number and truth types for request schemas that mean what JSON Schema says they mean.

Pydantic's lax mode takes ``false`` as the integer 0 and ``0`` as false, which the OpenAPI document does not
allow, so a client (and schemathesis) sending them would find the API looser than its document. Its strict
mode goes the other way and refuses ``27.0``, which JSON Schema counts as the integer 27. These take exactly
what the document says: an integer-valued number, and true or false.
"""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator, StrictBool


def _not_a_truth_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true or false")
    return value


# Last in an ``Annotated`` integer, after its ``Field`` bounds, so that pydantic still writes the bounds as
# JSON Schema's ``minimum`` and ``maximum``: ``Annotated[int, Field(ge=0, le=120), NOT_A_TRUTH_VALUE]``.
NOT_A_TRUTH_VALUE = BeforeValidator(_not_a_truth_value)
JsonBool = StrictBool


def _text_only(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected a date or time as text, as in 2026-11-20T13:05:00Z")
    return value


# Before a date or datetime: the document says text, but pydantic would also take a number of seconds.
TEXT_ONLY = BeforeValidator(_text_only)
