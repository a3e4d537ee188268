"""The report schema shared by the API and the bulk import. Unknown fields are refused, so a typo is named
instead of silently dropped. Identifier values are kept as reported: normalising them is the intelligence
step's work, and an odd value must never lose a report."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from haven.core.jsontypes import NOT_A_TRUTH_VALUE, TEXT_ONLY, JsonBool
from haven.hashbank.hashtypes import Md5Hex, PdqHex, Sha1Hex, Sha256Hex, lower_hex
from haven.intake.models import IdentifierKind, IncidentType

COUNTRY = r"^[A-Z]{2}$"

# Known annotations: sextortion, minor_to_minor, generative_ai, self_generated, viral. Partners may send
# others in the same form, as the CyberTipline's list grows; they are kept as given.
KNOWN_ANNOTATIONS = ("sextortion", "minor_to_minor", "generative_ai", "self_generated", "viral")
Annotation = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,50}$")]
IncidentTypeName = Literal[
    "csam_distribution", "csam_possession", "csam_production", "online_enticement", "sextortion",
    "live_streaming", "trafficking", "obscene_material_to_child", "other",
]  # fmt: skip
KindName = Literal["email", "phone", "username", "account_id", "ip", "device_id", "url", "payment_id"]
assert set(IncidentTypeName.__args__) == set(IncidentType.values)  # type: ignore[attr-defined]
assert set(KindName.__args__) == set(IdentifierKind.values)  # type: ignore[attr-defined]

ON_A_PLATFORM = {"username", "account_id"}
Age = Annotated[int, Field(ge=0, le=120), NOT_A_TRUTH_VALUE]
# PostgreSQL keeps offsets up to 15:59 from UTC; RFC 3339 allows up to 23:59. A time whose offset is
# beyond what any place uses (14 hours) is kept as the same instant in UTC, never refused: the schema
# allows it.
MAX_OFFSET = timedelta(hours=14)


def _within_real_offsets(value: datetime) -> datetime:
    offset = value.utcoffset()
    return value.astimezone(UTC) if offset is not None and abs(offset) > MAX_OFFSET else value


When = Annotated[AwareDatetime, TEXT_ONLY, AfterValidator(_within_real_offsets)]


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # PostgreSQL's text and jsonb cannot hold the NUL character, and no report means one: it is dropped
    # from every string as it arrives (so a value of nothing else is then empty, and refused as such).
    @field_validator("*", mode="before")
    @classmethod
    def _drop_nul(cls, value: Any) -> Any:
        return _without_nul(value)


# A character that no side counts as a space, nor NUL (which is dropped). Strings are stripped here (Python
# strips \x1c-\x1f and \x85 too), pydantic's patterns run on Rust's regex (whose \s lacks \ufeff), and a
# client checks the document's patterns as JavaScript's (whose \s lacks \x85): excluding all of them makes
# the three agree.
NOT_SPACE = r"[^\s\x00\x1c-\x1f\x85\ufeff]"
# Text that must say something: a value of only spaces would be stripped to nothing.
SOMETHING = NOT_SPACE
_EMAIL_PART = r"[^@\s\x00\x1c-\x1f\x85\ufeff]+"
EMAIL = rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"


def _null_unless(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema rule: these fields are null unless the identifier is of this kind."""
    return {
        "if": {"properties": {"kind": {"not": {"const": kind}}}, "required": ["kind"]},
        "then": {"properties": fields},
    }


# The rules of IdentifierIn._fields_fit_the_kind, in the OpenAPI document too.
KIND_RULES: Any = [
    {
        "if": {"properties": {"kind": {"enum": sorted(ON_A_PLATFORM)}}, "required": ["kind"]},
        "then": {"required": ["platform"], "properties": {"platform": {"type": "string"}}},
    },
    _null_unless("ip", {"port": {"type": "null"}, "seen_at": {"type": "null"},
                        "event": {"anyOf": [{"type": "null"}, {"pattern": "^\\s*$"}]}}),
    _null_unless("phone", {"region": {"type": "null"}}),
]  # fmt: skip


class IdentifierIn(Strict):
    model_config = ConfigDict(json_schema_extra={"allOf": KIND_RULES})

    kind: KindName
    value: str = Field(min_length=1, max_length=500, pattern=SOMETHING)
    platform: str | None = Field(None, min_length=1, max_length=100, pattern=SOMETHING)
    region: str | None = Field(None, pattern=COUNTRY, description="phone only: ISO 3166 country code")
    port: Annotated[int, Field(ge=0, le=65535), NOT_A_TRUTH_VALUE] | None = Field(None, description="ip only")
    seen_at: When | None = Field(None, description="ip only: when the address was used")
    event: str | None = Field(None, max_length=50, description="ip only: login, upload, ...")

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> IdentifierIn:
        if self.kind in ON_A_PLATFORM and not self.platform:
            raise ValueError(f"a {self.kind} needs its platform")
        if self.kind != "ip" and (self.port is not None or self.seen_at is not None or self.event):
            raise ValueError("port, seen_at and event belong to an ip identifier")
        if self.kind != "phone" and self.region:
            raise ValueError("region belongs to a phone identifier")
        return self


class Location(Strict):
    country: str | None = Field(None, pattern=COUNTRY)
    postcode: str | None = Field(None, max_length=20)


class PersonIn(Strict):
    name: str | None = Field(None, max_length=200)
    date_of_birth: Annotated[date, TEXT_ONLY] | None = None
    age_estimate: Age | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=500)
    location: Location | None = None


class VictimIn(Strict):
    age_estimate: Age | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=500)
    location: Location | None = None


class MediaIn(Strict):
    sha256: Sha256Hex | None = None
    sha1: Sha1Hex | None = None
    md5: Md5Hex | None = None
    pdq: PdqHex | None = None
    file_name: str | None = Field(None, max_length=255)
    viewed_by_reporter: JsonBool | None = None
    publicly_available: JsonBool | None = None
    annotations: list[Annotation] = Field(default_factory=list, max_length=20)

    @field_validator("sha256", "sha1", "md5", "pdq")
    @classmethod
    def _lowercase(cls, value: str | None) -> str | None:
        return lower_hex(value)


class IncidentIn(Strict):
    type: IncidentTypeName
    occurred_at: When | None = None
    summary: str = Field("", max_length=20_000)
    imminent_danger: JsonBool = False
    annotations: list[Annotation] = Field(default_factory=list, max_length=20)


class ReporterIn(Strict):
    organisation: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254, pattern=EMAIL)
    contact_phone: str | None = Field(None, max_length=40)


MAX_CONVERSATIONS = 20
MAX_CHAT_MESSAGES = 50_000
MAX_CHAT_TEXT = 10_000


class ParticipantIn(Strict):
    id: str = Field(min_length=1, max_length=200, pattern=SOMETHING, description="as the messages name them")
    identifier: str | None = Field(None, max_length=500, description="their account, handle or number")
    stated_age: Age | None = Field(None, description="the age their profile or the platform gives")


class ChatMessageIn(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    at: When | None = None
    sender: str = Field(alias="from", min_length=1, max_length=200, pattern=SOMETHING,
                        description="a participant's id")  # fmt: skip
    text: str = Field("", max_length=MAX_CHAT_TEXT)


class ConversationIn(Strict):
    """A chat the report carries. Stored encrypted in the evidence store, never in the report's payload.
    A sender not among the participants takes part with nothing known of them; a participant listed twice
    is taken from the first entry. (Both are accepted: the OpenAPI document cannot state such rules, and a
    body it allows is never refused.)"""

    id: str | None = Field(None, max_length=200, description="the platform's id for the conversation")
    platform: str | None = Field(None, max_length=100)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=500)
    messages: list[ChatMessageIn] = Field(min_length=1, max_length=MAX_CHAT_MESSAGES)


class ReportIn(Strict):
    external_id: str | None = Field(None, min_length=1, max_length=200, pattern=SOMETHING)
    incident: IncidentIn
    reported_persons: list[PersonIn] = Field(default_factory=list, max_length=100)
    victims: list[VictimIn] = Field(default_factory=list, max_length=100)
    media: list[MediaIn] = Field(default_factory=list, max_length=1000)
    reporter: ReporterIn | None = None
    conversations: list[ConversationIn] = Field(
        default_factory=list, max_length=MAX_CONVERSATIONS,
        description=f"chats, each of up to {MAX_CHAT_MESSAGES:,} messages; kept encrypted",
    )  # fmt: skip

    def canonical(self) -> str:
        """One spelling of the report: the schema's field order, hashes in lowercase, no spaces. It is
        hashed to tell a retry from a conflict. A report without conversations is spelt as before they
        existed, so a retry of an older report is still found."""
        return self.model_dump_json(by_alias=True, exclude=None if self.conversations else {"conversations"})

    def payload(self) -> str:
        """What the report's payload column stores: the canonical spelling without the conversations,
        which go to the evidence store encrypted."""
        return self.model_dump_json(by_alias=True, exclude={"conversations"})


def body_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
