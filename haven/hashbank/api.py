"""Partner API for the bank: match hashes or a file, and download hash lists incrementally."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, model_validator

from haven.accounts.actions import Scope
from haven.accounts.api import ApiKeyAuth, api_key_of
from haven.audit.actions import record
from haven.core.jsontypes import NOT_A_TRUTH_VALUE
from haven.core.uploads import ONE_FILE, InMemory, take_one_file
from haven.hashbank.actions import record_hits
from haven.hashbank.changes import horizon
from haven.hashbank.hashing import FileHashes, hash_bytes
from haven.hashbank.hashtypes import LENGTHS, Md5Hex, PdqHex, Sha1Hex, Sha256Hex
from haven.hashbank.importing import frames_text
from haven.hashbank.matcher import Match, matcher, partner_list
from haven.hashbank.models import SELF_REFERRAL_LIST, BankList, BankRecord, RecordSource
from haven.hashbank.results import status_of, video_status
from haven.hashbank.video import VideoHashes, hash_video_bytes, looks_like_video

router = Router(tags=["hash bank"])


class HashQuery(Schema):
    # The rule below, in the document too: at least one hash, given as a string.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [{"required": [name], "properties": {name: {"type": "string"}}} for name in LENGTHS]
        }
    )

    md5: Md5Hex | None = None
    sha1: Sha1Hex | None = None
    sha256: Sha256Hex | None = None
    pdq: PdqHex | None = None
    quality: Annotated[int, Field(ge=0, le=100), NOT_A_TRUTH_VALUE] | None = Field(
        None, description="PDQ quality; below 50 is never matched"
    )

    @model_validator(mode="after")
    def _needs_a_hash(self) -> HashQuery:
        if not (self.md5 or self.sha1 or self.sha256 or self.pdq):
            raise ValueError("give at least one of md5, sha1, sha256, pdq")
        return self


class MatchRequest(Schema):
    hashes: list[HashQuery] = Field(..., min_length=1, max_length=1000)


class MatchOut(Schema):
    record: int
    category: str
    series: str
    # PDQ's distance in bits; none for an exact match's strength or a robust match (see ``evidence``).
    distance: int | None
    variant: str
    list: str
    # A robust match's proof: agreeing points, turn, scale, and where they lie in each picture.
    evidence: dict[str, Any] | None = None


class MatchResult(Schema):
    index: int
    status: str
    matches: list[MatchOut]


class VideoMatchOut(Schema):
    record: int
    category: str
    series: str
    how: Literal["file", "vpdq", "image"] = Field(
        description="the same file; enough of a banked video's frames (vPDQ); or a banked still image "
        "seen in the video's frames (`query_ranges` says where)"
    )
    query_share: float = Field(
        description="the share of the sent video's good frames found in the banked one"
    )
    banked_share: float = Field(
        description="the share of the banked video's good frames found in the sent one"
    )
    query_ranges: list[list[float]] = Field(
        description="the stretches of the sent video that matched, seconds"
    )
    banked_ranges: list[list[float]] = Field(description="the stretches of the banked video that matched")
    list: str  # last, or its name would hide the type of the fields above


class FileMatchResult(Schema):
    kind: Literal["image", "video"] = "image"
    md5: str | None
    sha1: str | None
    sha256: str | None
    pdq: str | None
    quality: int | None
    duration: float | None = Field(None, description="a video's length in seconds")
    frames: int | None = Field(None, description="a video's frames hashed, one a second")
    status: str
    matches: list[MatchOut]
    video_matches: list[VideoMatchOut] = Field(default_factory=list, description="a video's matches")
    error: str | None


def _out(matches: list[Match]) -> list[MatchOut]:
    return [MatchOut(**m.as_json()) for m in matches]


@router.post(
    "/match", response=list[MatchResult], auth=ApiKeyAuth(Scope.HASHES_MATCH), summary="Match hashes"
)
def match_hashes(request: HttpRequest, body: MatchRequest) -> list[MatchResult]:
    """Match up to 1,000 sets of hashes. A PDQ hash is matched as given: send the file itself
    (``/match/file``) to have its rotations and flips matched too."""
    partner = api_key_of(request).organisation.slug
    results = []
    seen: list[int] = []
    for i, q in enumerate(body.hashes):
        hashes = FileHashes.given(md5=q.md5, sha1=q.sha1, sha256=q.sha256, pdq=q.pdq, quality=q.quality)
        matches = matcher().match(hashes, partner=partner)
        seen.extend({m.record for m in matches})
        results.append(MatchResult(index=i, status=status_of(hashes, matches), matches=_out(matches)))
    record_hits(seen)
    known = sum(1 for r in results if r.status == "known")
    record("hashbank.match", request=request, details={"queries": len(results), "known": known})
    return results


@router.post(
    "/match/file",
    response=FileMatchResult,
    auth=ApiKeyAuth(Scope.HASHES_MATCH),
    summary="Match an uploaded file",
    openapi_extra=ONE_FILE,
)
def match_file(request: HttpRequest) -> FileMatchResult:
    """Send one file as `multipart/form-data` field `file`. It is hashed in memory and nothing of it is kept.
    An image is matched in all 8 orientations; a video (MP4, MOV, WebM, MKV, AVI …) by its file hashes and
    by a PDQ hash a second, against banked videos (`video_matches`, with both shares and the matched
    stretches)."""
    file = take_one_file(request, InMemory(request, settings.MATCH_MAX_UPLOAD_BYTES))
    data, name = file.read(), file.name or "upload"
    if looks_like_video(name, data[:512]):
        return _match_video_file(request, hash_video_bytes(data, name))
    hashes = hash_bytes(data, name, dihedral=True, robust=True)
    matches = matcher().match(hashes, partner=api_key_of(request).organisation.slug)
    record_hits({m.record for m in matches})
    status = status_of(hashes, matches)
    record("hashbank.match_file", request=request, details={"status": status, "known": len(matches)})
    return FileMatchResult(
        md5=hashes.md5, sha1=hashes.sha1, sha256=hashes.sha256, pdq=hashes.pdq, quality=hashes.quality,
        duration=None, frames=None, status=status, matches=_out(matches), error=hashes.error,
    )  # fmt: skip


def _match_video_file(request: HttpRequest, video: VideoHashes) -> FileMatchResult:
    partner = api_key_of(request).organisation.slug
    hits = [] if video.error else matcher().match_video(video, partner=partner)
    record_hits({h.record for h in hits})
    status = video_status(video, hits)
    details = {"status": status, "known": len(hits), "video": True}
    record("hashbank.match_file", request=request, details=details)
    fields = set(VideoMatchOut.model_fields)
    return FileMatchResult(
        kind="video", md5=video.md5, sha1=video.sha1, sha256=video.sha256, pdq=None, quality=None,
        duration=video.duration, frames=len(video.frames), status=status, matches=[],
        video_matches=[VideoMatchOut(**{k: v for k, v in h.as_json().items() if k in fields}) for h in hits],
        error=video.error,
    )  # fmt: skip


class HashListEntry(Schema):
    id: int
    md5: str | None
    sha1: str | None
    sha256: str | None
    pdq: str | None
    duration: float | None = Field(None, description="a video's length in seconds; none for an image")
    vpdq: str | None = Field(
        None,
        description="a video's frame hashes (vPDQ, a frame a second): frames split by ';', each "
        "'index,quality,pdq,seconds' as Meta's vpdq tool writes them",
    )
    category: str
    self_referred: bool = Field(
        description="sent by the young person it shows, as hashes of their own image (self-referral), "
        "and verified by the centre's graders"
    )
    action: Literal["add", "remove"]
    updated_at: datetime


class HashListPage(Schema):
    items: list[HashListEntry]
    list: str
    next: str = Field(description="pass as `since` to get what changed after this page")
    more: bool


class HashListQuery(Schema):
    since: str | None = Field(
        None, max_length=200, description="the `next` cursor from an earlier page; omit for everything"
    )
    limit: int = Field(1000, ge=1, le=10000)


# A cursor is the (change, record id) of the last entry a partner was sent; LAST_ID stands for "all of them".
CURSOR_VERSION = "c1"
LAST_ID = 2**63 - 1


def _cursor(change: int, record_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_VERSION}|{change}|{record_id}".encode()).decode()


def _parse_cursor(raw: str) -> tuple[int, int]:
    try:
        version, change, record_id = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
        if version != CURSOR_VERSION:
            raise ValueError(version)
        return int(change), int(record_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(
            422,
            "since: not a cursor this API gave out (a cursor from before 2026-12 means: start again "
            "without since)",
        ) from None


@router.get(
    "/hashlists/{name}",
    response=HashListPage,
    auth=ApiKeyAuth(Scope.HASHES_READ),
    summary="Hash list",
)
def hash_list(request: HttpRequest, name: str, params: Query[HashListQuery]) -> HashListPage:
    """Verified category A, B and C records in a list, in the order they changed. Without ``since`` only
    the records to hold are returned; with it, every change since then, with ``remove`` for records this
    list once shared that were disabled, disputed or regraded since. A change is sent only once every
    transaction before it has committed, so a cursor never skips one."""
    key = api_key_of(request)
    if name.startswith("partner:") and name != partner_list(key.organisation.slug):
        raise HttpError(404, "no such list")
    bank_list = get_object_or_404(BankList, name=name, enabled=True)
    in_list = RecordSource.objects.filter(record=OuterRef("pk"), bank_list=bank_list)
    final = horizon().final
    records = BankRecord.objects.filter(Exists(in_list), change__lt=final).order_by("change", "id")
    if params.since:
        change, last_id = _parse_cursor(params.since)
        records = records.filter(Q(change__gt=change) | Q(change=change, id__gt=last_id))
        once_shared = Exists(in_list.filter(shared_at__isnull=False))
        records = records.filter(Q(pk__in=BankRecord.objects.shareable().values("pk")) | once_shared)
    else:
        change, last_id = 0, 0
        records = records.shareable()
    page = list(records.prefetch_related("frames")[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    self_referred = set(
        RecordSource.objects.filter(
            record_id__in=[r.pk for r in page], bank_list__name=SELF_REFERRAL_LIST
        ).values_list("record_id", flat=True)
    )
    items = [
        HashListEntry(
            id=r.pk, md5=r.md5, sha1=r.sha1, sha256=r.sha256, pdq=r.pdq, category=r.category,
            duration=r.duration, vpdq=frames_text(r.frame_rows()) if r.duration is not None else None,
            self_referred=r.pk in self_referred, updated_at=r.updated_at,
            action="add" if r.shareable else "remove",
        )
        for r in page
    ]  # fmt: skip
    if more:
        next_cursor = _cursor(page[-1].change, page[-1].pk)
    else:
        next_cursor = _cursor(max(final - 1, change), LAST_ID if final - 1 >= change else last_id)
    record("hashbank.hashlist", request=request, object_type="hashbank.banklist", object_id=bank_list.pk,
           details={"since": bool(params.since), "items": len(items)})  # fmt: skip
    return HashListPage(list=bank_list.name, items=items, next=next_cursor, more=more)
