"""The functions that change the grading queue. Each is one transaction with its own audit entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.http import HttpRequest
from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.core.access import Permission
from haven.evidence import store
from haven.grading import clustering
from haven.grading.models import NO_BAND, Cluster, Decision, Item, Look, Origin, Reveal, Stage, ViewerSettings
from haven.grading.thumbs import BLUR_RANGE
from haven.hashbank.actions import GRADES, add_records, get_or_create_list, give_verdict
from haven.hashbank.hashing import features_of_bytes
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import SELF_REFERRAL_LIST, BankList, BankRecord, Status
from haven.hashbank.video import hash_video_bytes, looks_like_video
from haven.intake.models import MatchStatus, Report, ReportMedia

LOOK_IDLE = timedelta(minutes=10)  # a look left open counts for this long at most
GRADED_LIST = "national"  # the list a graded file's record joins
IDS_A_QUERY = 10_000  # SQLite takes at most 32,766 parameters a statement


def reveal_seconds() -> int:
    """How long a reveal lasts at most (``HAVEN_GRADING_REVEAL_SECONDS``)."""
    return int(settings.GRADING_REVEAL_SECONDS)


class GradingError(Exception):
    """A grading step that cannot be taken; the message says why, for the person who tried."""


def _band_of(report: Report) -> str:
    priority = getattr(report, "priority", None)
    return priority.effective_band if priority is not None else NO_BAND


def _ungraded_self_referred(media: ReportMedia) -> BankRecord | None:
    """The self-referred record this file is an exact copy of, while it waits for a copy to grade."""
    if not media.sha256:
        return None
    return (
        BankRecord.objects.filter(sha256=media.sha256, graders=0, sources__bank_list__name=SELF_REFERRAL_LIST)
        .distinct()
        .first()
    )


def queue_novel_media(report: Report) -> list[Item]:
    """Put each uploaded file of the report that the bank did not know into the grading queue, or, if it
    is already there, note the report and move it up to the report's band. A file that is an exact copy
    of a self-referred image waiting for grading is queued too, so that graders finally see it. A file
    given by hashes alone has nothing to look at and is not queued. Each new item starts alone in its
    cluster; ``recluster`` groups near-duplicates."""
    band = _band_of(report)
    queued: list[Item] = []
    media_items = report.media.filter(
        blob__isnull=False, match_status__in=[MatchStatus.NOVEL, MatchStatus.KNOWN]
    )
    for media in media_items.select_related("blob"):
        self_referred = _ungraded_self_referred(media) if media.match_status == MatchStatus.KNOWN else None
        if media.match_status == MatchStatus.KNOWN and self_referred is None:
            continue
        if not media.pdq and not _is_video(media):
            continue  # a file that decoded neither as an image nor as a video: nothing the viewer can show
        item = _queue(
            media.sha256,
            md5=media.md5,
            sha1=media.sha1,
            pdq=media.pdq,
            quality=None,
            band=band,
            origin=Origin.SELF_REFERRAL if self_referred else Origin.REPORT,
            blob_id=media.blob_id,
            bank_record=self_referred,
        )
        item.reports.add(report)
        queued.append(item)
    if queued:
        record("grading.queued", obj=report, details={"items": [i.pk for i in queued], "band": band})
    return queued


def queue_scanned(
    rows: Sequence[dict[str, object]], *, blobs: dict[str, int] | None = None, actor: User | None = None
) -> list[Item]:
    """Queue the files a scan found unknown (``haven scan --queue-novel``): each row's hashes, and its
    file from ``blobs`` (sha256 → stored blob id) where the user consented to upload it."""
    blobs = blobs or {}
    queued = []
    with transaction.atomic():
        for row in rows:
            sha256 = str(row.get("sha256") or "")
            if not sha256:
                continue
            quality = row.get("quality")
            queued.append(
                _queue(
                    sha256,
                    md5=str(row.get("md5") or ""),
                    sha1=str(row.get("sha1") or ""),
                    pdq=str(row.get("pdq") or ""),
                    quality=quality if isinstance(quality, int) else None,
                    band=NO_BAND,
                    origin=Origin.SCAN,
                    blob_id=blobs.get(sha256),
                    bank_record=None,
                )
            )
        record("grading.queued_scan", actor=actor, details={"items": len(queued), "with_files": len(blobs)})
    return queued


def _queue(
    sha256: str,
    *,
    md5: str,
    sha1: str,
    pdq: str,
    quality: int | None,
    band: str,
    origin: str,
    blob_id: int | None,
    bank_record: BankRecord | None,
) -> Item:
    item = Item.objects.select_for_update().filter(sha256=sha256).first()
    if item is None:
        cluster = Cluster.objects.create(band=band)
        return Item.objects.create(
            sha256=sha256,
            md5=md5,
            sha1=sha1,
            pdq=pdq,
            pdq_quality=quality,
            band=band,
            origin=origin,
            blob_id=blob_id,
            record=bank_record,
            cluster=cluster,
            queued_at=cluster.queued_at,
        )
    changed = []
    if item.blob_id is None and blob_id is not None:
        item.blob_id = blob_id
        changed.append("blob")
    if band < item.band:
        item.band = band
        changed.append("band")
        Cluster.objects.filter(pk=item.cluster_id, band__gt=band).update(band=band)
    if changed:
        item.save(update_fields=changed)
    return item


def recluster(*, radius: int | None = None) -> int:
    """Group the items no grader has decided on yet into clusters of near-duplicates (PDQ within the
    national list's threshold), each group into the oldest of its clusters. Items a grader pulled out stay
    alone. Safe to run at any time and twice: the same queue gives the same clusters. Returns the number of
    items moved."""
    if radius is None:
        radius = (
            BankList.objects.filter(name=GRADED_LIST).values_list("pdq_threshold", flat=True).first() or 31
        )
    with transaction.atomic():
        rows = list(
            Item.objects.select_for_update()
            .filter(cluster__stage=Stage.FIRST, pulled_out=False)
            .order_by("id")
            .values_list("id", "pdq", "cluster_id")
        )
        Item.objects.filter(id__in=[item_id for item_id, _, _ in rows], clustered=False).update(
            clustered=True
        )
        roots = clustering.components([pdq or None for _, pdq, _ in rows], radius)
        target: dict[int, int] = {}
        for (_, _, cluster_id), root in zip(rows, roots, strict=True):
            target[root] = min(target.get(root, cluster_id), cluster_id)
        moves: dict[int, list[int]] = defaultdict(list)
        for (item_id, _, cluster_id), root in zip(rows, roots, strict=True):
            if target[root] != cluster_id:
                moves[target[root]].append(item_id)
        if not moves:
            return 0
        touched = set(moves)
        now_in = {item_id: cluster_id for item_id, _, cluster_id in rows}
        for cluster_id, item_ids in moves.items():
            touched.update(now_in[i] for i in item_ids)
            for start in range(0, len(item_ids), IDS_A_QUERY):
                Item.objects.filter(id__in=item_ids[start : start + IDS_A_QUERY]).update(
                    cluster_id=cluster_id
                )
        _refresh(touched)
        moved = sum(len(ids) for ids in moves.values())
        record("grading.reclustered", details={"moved": moved, "into": len(moves), "radius": radius})
    return moved


def recluster_if_new() -> int:
    """``recluster``, if anything has joined the queue since it last ran (the workers' chore)."""
    return recluster() if Item.objects.filter(clustered=False).exists() else 0


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IDS_A_QUERY):
        yield ids[start : start + IDS_A_QUERY]


def _refresh(cluster_ids: set[int]) -> None:
    """Recount each cluster's size, band and age from its members; delete the ones left empty."""
    for chunk in _chunks(sorted(cluster_ids)):
        stats = {
            row["cluster_id"]: row
            for row in Item.objects.filter(cluster_id__in=chunk)
            .values("cluster_id")
            .annotate(band=Min("band"), queued_at=Min("queued_at"), size=Count("id"))
        }
        Cluster.objects.filter(pk__in=[c for c in chunk if c not in stats]).delete()
        for cluster_id, row in stats.items():
            Cluster.objects.filter(pk=cluster_id).update(
                band=row["band"], queued_at=row["queued_at"], size=row["size"]
            )


def pull_out(item: Item, *, grader: User, request: HttpRequest | None = None) -> Cluster:
    """Take an item that does not belong out of its cluster, into one of its own at the same stage."""
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        old = Cluster.objects.select_for_update().get(pk=item.cluster_id)
        if old.stage in (Stage.DONE, Stage.DISPUTED):
            raise GradingError("a cluster that is graded or disputed keeps its members")
        if old.size <= 1:
            raise GradingError("this item is already alone in its cluster")
        new = Cluster.objects.create(
            stage=old.stage, band=item.band, queued_at=item.queued_at, first_grader=old.first_grader
        )
        item.cluster, item.pulled_out = new, True
        item.save(update_fields=["cluster", "pulled_out"])
        _refresh({old.pk, new.pk})
        record(
            "grading.pulled_out",
            actor=grader,
            request=request,
            obj=item,
            details={"from": old.pk, "to": new.pk},
        )
    return new


@dataclass(frozen=True)
class Grade:
    category: str
    series: str = ""
    victim_identified: bool = False
    offender_identified: bool = False


def grade_cluster(
    cluster: Cluster, *, grader: User, seen: Sequence[int], grade: Grade, request: HttpRequest | None = None
) -> Cluster:
    """One grader's decision on a whole cluster: the grade is given to every member's bank record (made now
    in the national list if the file has none), so the file matches as known at once. ``seen`` is the
    members the grader was shown: if the cluster has changed since, nothing is graded.

    A first decision sends the cluster on for a second grader; the second, who must be someone else and is
    never shown the first grade, finishes it when every record's graders agree, and otherwise sends it to
    a supervisor. A supervisor's decision on a disputed cluster settles it."""
    if grade.category not in GRADES:
        raise GradingError(f"category: expected one of {', '.join(GRADES)}")
    with transaction.atomic():
        cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
        items = list(cluster.items.order_by("id"))
        if sorted(seen) != [i.pk for i in items]:
            raise GradingError("the cluster changed while you were looking at it: look at it again")
        if cluster.stage == Stage.DONE:
            raise GradingError("this cluster is already graded")
        if any(i.blob_id is None for i in items):
            raise GradingError("there is no copy of every member to look at yet")
        settling = cluster.stage == Stage.DISPUTED
        if settling and not has_permission(grader, Permission.HASHBANK_MANAGE):
            raise GradingError("only a supervisor settles a cluster the graders disagree on")
        graded_by = set(Decision.objects.filter(cluster=cluster).values_list("grader_id", flat=True))
        if grader.pk in graded_by:
            raise GradingError("you have graded this cluster already: another grader must decide")
        _give_records(items, grader, cluster)
        disputed = set(
            BankRecord.objects.filter(
                pk__in=[i.record_id for i in items], status=Status.DISPUTED
            ).values_list("pk", flat=True)
        )
        for item in items:
            assert item.record is not None
            give_verdict(
                item.record,
                grader=grader,
                category=grade.category,
                series=grade.series,
                victim_identified=grade.victim_identified,
                offender_identified=grade.offender_identified,
                settles=settling and item.record_id in disputed,
                request=request,
            )
        stage = cluster.stage
        if stage == Stage.FIRST:
            cluster.stage, cluster.first_grader = Stage.SECOND, grader
        else:
            agree = BankRecord.objects.filter(pk__in=[i.record_id for i in items], graders_agree=True).count()
            cluster.stage = Stage.DONE if agree == len(items) else Stage.DISPUTED
        cluster.save(update_fields=["stage", "first_grader"])
        now = timezone.now()
        Decision.objects.create(
            cluster=cluster,
            grader=grader,
            stage=stage,
            category=grade.category,
            members=len(items),
            at=now,
            outcome=cluster.stage,
            waited_seconds=max(0, int((now - cluster.queued_at).total_seconds())),
        )
        ended = _end_reveals(grader, items, now)
        Look.objects.filter(grader=grader, cluster=cluster, closed_at=None).update(closed_at=now)
        record(
            "grading.decision",
            actor=grader,
            request=request,
            obj=cluster,
            details={
                "stage": stage,
                "outcome": cluster.stage,
                "category": grade.category,
                "members": len(items),
                "looks_saved": len(items) - 1,
                "reveals_ended": ended,
            },
        )
    return cluster


def _give_records(items: list[Item], grader: User, cluster: Cluster) -> None:
    """Give every item a bank record in the national list, so that its grade has somewhere to go."""
    missing = [i for i in items if i.record_id is None]
    if not missing:
        return
    national = get_or_create_list(GRADED_LIST, actor=grader)
    add_records(
        [
            RecordInput(
                md5=i.md5 or None,
                sha1=i.sha1 or None,
                sha256=i.sha256,
                pdq=i.pdq or None,
                pdq_quality=i.pdq_quality,
                source="grading",
                **_banked_from_file(i),
            )
            for i in missing
        ],
        national,
        actor=grader,
        origin=f"grading cluster {cluster.pk}",
    )
    by_sha = {r.sha256: r for r in BankRecord.objects.filter(sha256__in=[i.sha256 for i in missing])}
    for item in missing:
        item.record = by_sha[item.sha256]
        item.save(update_fields=["record"])


def _is_video(media: ReportMedia) -> bool:
    """A video, by its name or, failing that, its first bytes (read from the evidence store)."""
    if looks_like_video(media.file_name):
        return True
    try:
        return media.blob is not None and looks_like_video("", store.read(media.blob.sha256)[:512])
    except store.EvidenceError:
        return False


def _banked_from_file(item: Item) -> dict[str, Any]:
    """What banking keeps of an item whose file the centre holds, computed as it is banked (the matcher
    never reads stored media when it matches): an image's second-stage features, or a video's length and
    frame hashes."""
    if item.blob is None:
        return {}
    try:
        data = store.read(item.blob.sha256)
    except store.EvidenceError:
        return {}  # banked on its hashes alone; the store's own checks report a missing file
    if looks_like_video("", data[:512]):
        video = hash_video_bytes(data, item.sha256)
        return (
            {} if video.error else {"duration": video.duration, "frames": tuple(f.row for f in video.frames)}
        )
    return {"features": features_of_bytes(data)}


def open_look(cluster: Cluster, grader: User) -> Look:
    """The grader opened the cluster in the viewer: their other open looks end now (or at ``LOOK_IDLE``)."""
    now = timezone.now()
    with transaction.atomic():
        for look in Look.objects.filter(grader=grader, closed_at=None):
            look.closed_at = min(now, look.opened_at + LOOK_IDLE)
            look.save(update_fields=["closed_at"])
        return Look.objects.create(grader=grader, cluster=cluster, opened_at=now)


def reveal(item: Item, *, grader: User, request: HttpRequest | None = None) -> Reveal:
    """Show one item unblurred to this grader, for ``reveal_seconds()`` at most; audited."""
    with transaction.atomic():
        shown = Reveal.objects.create(grader=grader, item=item)
        record(
            "grading.reveal",
            actor=grader,
            request=request,
            obj=item,
            details={"reveal": shown.pk, "cluster": item.cluster_id, "for_seconds": reveal_seconds()},
        )
    return shown


def hide(shown: Reveal, *, grader: User, request: HttpRequest | None = None) -> Reveal:
    """End a reveal early; audited with how long it lasted."""
    with transaction.atomic():
        shown = Reveal.objects.select_for_update().get(pk=shown.pk)
        if shown.grader_id != grader.pk:
            raise GradingError("only the grader who revealed an item can hide it")
        if shown.ended_at is None:
            shown.ended_at = min(timezone.now(), deadline(shown))
            shown.save(update_fields=["ended_at"])
            record(
                "grading.reveal_end",
                actor=grader,
                request=request,
                obj=shown.item,
                details={"reveal": shown.pk, "seconds": seconds_of(shown)},
            )
    return shown


def _end_reveals(grader: User, items: list[Item], now: datetime) -> list[dict[str, int]]:
    ended = []
    for shown in Reveal.objects.filter(grader=grader, item__in=items, ended_at=None):
        shown.ended_at = min(now, deadline(shown))
        shown.save(update_fields=["ended_at"])
        ended.append({"reveal": shown.pk, "item": shown.item_id, "seconds": seconds_of(shown)})
    return ended


def deadline(shown: Reveal) -> datetime:
    """When a reveal ends if nobody hides it first."""
    return shown.started_at + timedelta(seconds=reveal_seconds())


def seconds_of(shown: Reveal) -> int:
    """How long a reveal lasted: to its end, or its whole allowance if it was left to run out."""
    end = min(shown.ended_at or deadline(shown), deadline(shown))
    return max(0, round((end - shown.started_at).total_seconds()))


def active_reveal(item: Item, grader: User, reveal_id: int | None) -> Reveal | None:
    """The grader's reveal of this item, if it is still running."""
    if reveal_id is None:
        return None
    since = timezone.now() - timedelta(seconds=reveal_seconds())
    return Reveal.objects.filter(
        pk=reveal_id, item=item, grader=grader, ended_at=None, started_at__gt=since
    ).first()


def viewer_settings(user: User) -> ViewerSettings:
    found = ViewerSettings.objects.filter(user=user).first()
    return found or ViewerSettings(user=user)


def save_viewer_settings(
    user: User, *, blur: int, greyscale: bool, break_minutes: int, request: HttpRequest | None = None
) -> ViewerSettings:
    low, high = BLUR_RANGE
    if not low <= blur <= high:
        raise GradingError(f"blur: must be {low} to {high}")
    if not 0 <= break_minutes <= 240:
        raise GradingError("break_minutes: must be 0 to 240")
    with transaction.atomic():
        chosen, _ = ViewerSettings.objects.update_or_create(
            user=user, defaults={"blur": blur, "greyscale": greyscale, "break_minutes": break_minutes}
        )
        record(
            "grading.viewer_settings",
            actor=user,
            request=request,
            details={"blur": blur, "greyscale": greyscale, "break_minutes": break_minutes},
        )
    return chosen
