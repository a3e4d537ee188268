"""Grading new media: the queue and its clusters, two independent graders, a supervisor for disputes, and
what reaches the verified export and industry's hash lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.evidence import store
from haven.grading import actions
from haven.grading.actions import Grade, GradingError, grade_cluster, pull_out, recluster
from haven.grading.clustering import components, components_naive
from haven.grading.models import Cluster, Decision, Item, Look, Stage
from haven.hashbank.hashing import hash_bytes
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankRecord, ImageFeatures
from haven.intake.actions import (
    SelfReferredFile,
    Submitted,
    attach_file,
    finish_report,
    submit_reports,
    submit_self_referral,
)
from haven.intake.schemas import ReportIn
from tests.conftest import Keys
from tests.grading.conftest import Queue, encoded
from tests.hashbank.conftest import load
from tests.intake.conftest import a_report


def test_near_duplicates_cluster_and_an_unrelated_file_stays_alone(
    queue_files: Queue, coffee_copies: list[bytes]
) -> None:
    items = queue_files(*coffee_copies)
    clusters = [i.cluster_id for i in items]
    assert clusters[0] == clusters[1] == clusters[2] != clusters[3]
    assert Cluster.objects.get(pk=clusters[0]).size == 3
    assert Cluster.objects.count() == 2  # the emptied clusters are gone
    assert recluster() == 0  # the same queue gives the same clusters


def test_clustering_matches_all_pairs_on_chains_and_misses() -> None:
    base = int("f0" * 32, 16)
    near = [f"{base ^ ((1 << k) - 1):064x}" for k in (0, 20, 40, 60)]  # each 20 bits from the next: a chain
    far = f"{base ^ ((1 << 256) - 1):064x}"
    pdqs: list[str | None] = [*near, far, None, near[0]]
    assert components(pdqs, 31) == components_naive(pdqs, 31) == [0, 0, 0, 0, 4, 5, 0]
    assert components(pdqs, 15) == components_naive(pdqs, 15) == [0, 1, 2, 3, 4, 5, 0]


def _grade(cluster: Cluster, user: User, category: str = "A", **kwargs: Any) -> Cluster:
    seen = list(cluster.items.values_list("pk", flat=True))
    return grade_cluster(
        Cluster.objects.get(pk=cluster.pk), grader=user, seen=seen, grade=Grade(category, **kwargs)
    )


def _another_grader(grader: User, username: str) -> User:
    return User.objects.create_user(username, password="x", organisation=grader.organisation, role="grader")


def _verified_export(capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    call_command("bank", "export", "--format", "csv", "--verified-only")
    return capsys.readouterr().out.strip().splitlines()[1:]


def _hash_list(client: Client, key: str) -> list[str]:
    response = client.get("/api/v1/hashlists/national", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    return [i["sha256"] for i in response.json()["items"] if i["action"] == "add"]


# Transactional: on PostgreSQL a hash list sends a change only once the transaction that made it has ended.
@pytest.mark.django_db(transaction=True)
def test_one_grade_is_not_enough_and_a_second_makes_it_shareable(
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
    keys: Keys,
    client: Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = queue_files(*coffee_copies[:3])
    cluster = items[0].cluster
    _grade(cluster, grader, "B", series="S-demo", victim_identified=True)
    records = BankRecord.objects.filter(sha256__in=[i.sha256 for i in items])
    assert records.count() == 3 and {r.graders for r in records} == {1}
    assert _verified_export(capsys) == [] and _hash_list(client, keys.hashes_only) == []
    # A further copy matches as known at once, though it is not yet verified.
    smaller = load("coffee.png").resize((200, 133))
    other = hash_bytes(encoded(smaller, "JPEG", quality=60), "x.jpg", dihedral=True)
    found = {m.record for m in matcher().match(other)}
    assert found and found <= {r.pk for r in records}
    # Banking kept each file's second-stage features, so a cropped and turned copy PDQ misses is known too.
    assert ImageFeatures.objects.filter(record__in=records).count() == 3
    changed = load("coffee.png").rotate(4).crop((50, 35, 560, 370))
    robust_copy = hash_bytes(encoded(changed, "JPEG", quality=80), "c.jpg", dihedral=True, robust=True)
    matches = matcher().match(robust_copy)
    assert matches and {m.variant for m in matches} == {"robust"} and {m.record for m in matches} <= found

    with pytest.raises(GradingError, match="another grader must decide"):
        _grade(cluster, grader, "B")
    cluster = _grade(cluster, supervisor, "B")
    assert cluster.stage == Stage.DONE
    assert len(_verified_export(capsys)) == 3
    assert sorted(_hash_list(client, keys.hashes_only)) == sorted(i.sha256 for i in items)
    rec = records.first()
    assert rec is not None and (rec.category, rec.series, rec.victim_identified) == ("B", "S-demo", True)
    decision = Decision.objects.get(cluster=cluster, stage=Stage.FIRST)
    assert (decision.members, decision.grader) == (3, grader)


def test_graders_who_disagree_go_to_a_supervisor(
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
    analyst: User,
    personas: dict[str, User],
) -> None:
    (item,) = queue_files(coffee_copies[3])
    second = User.objects.create_user(
        "grader2", password="x", organisation=grader.organisation, role="grader"
    )
    _grade(item.cluster, grader, "A")
    cluster = _grade(item.cluster, second, "C")
    assert cluster.stage == Stage.DISPUTED
    assert BankRecord.objects.get(sha256=item.sha256).status == "disputed"
    with pytest.raises(GradingError, match="only a supervisor"):
        _grade(
            cluster,
            User.objects.create_user(
                "grader3", password="x", organisation=grader.organisation, role="grader"
            ),
        )
    cluster = _grade(cluster, supervisor, "C")
    rec = BankRecord.objects.get(sha256=item.sha256)
    assert cluster.stage == Stage.DONE and (rec.category, rec.status, rec.verified) == ("C", "active", True)


def test_a_changed_cluster_is_not_graded_and_a_pulled_out_member_waits_alone(
    queue_files: Queue, coffee_copies: list[bytes], grader: User
) -> None:
    items = queue_files(*coffee_copies[:3])
    cluster = items[0].cluster
    seen = [i.pk for i in items[:2]]  # the grader was shown two members; there are three
    with pytest.raises(GradingError, match="changed"):
        grade_cluster(cluster, grader=grader, seen=seen, grade=Grade("A"))
    assert not BankRecord.objects.exists()
    alone = pull_out(items[2], grader=grader)
    assert alone.size == 1 and Cluster.objects.get(pk=cluster.pk).size == 2
    assert recluster() == 0  # a pulled-out item is not put back
    done = _grade(Cluster.objects.get(pk=cluster.pk), grader)
    assert done.stage == Stage.SECOND and Item.objects.get(pk=items[2].pk).record is None


@pytest.mark.django_db(transaction=True)
def test_novel_uploads_in_a_report_join_the_queue_in_its_band(
    orgs: Any, evidence: Any, coffee_copies: list[bytes]
) -> None:

    report = a_report("GRADE-1", media=[])
    report["incident"]["imminent_danger"] = True  # P1 whatever else
    (result,) = submit_reports(
        [ReportIn.model_validate(report)], organisation=orgs.platform, source="industry"
    )
    assert isinstance(result, Submitted)
    for n, data in enumerate(coffee_copies[:2]):
        attach_file(result.report, store.put(data).blob, file_name=f"f{n}.png")
    finish_report(result.report)
    call_command("worker", "--burst")
    items = list(Item.objects.order_by("id"))
    assert len(items) == 2 and {i.band for i in items} == {"P1"} and {i.origin for i in items} == {"report"}
    assert all(i.reports.filter(pk=result.report.pk).exists() for i in items)
    recluster()
    assert Cluster.objects.get().size == 2


def test_the_second_grader_is_not_shown_the_first_grade(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    (item,) = queue_files(coffee_copies[3])
    first = sign_in(grader)
    page = first.get(f"/staff/grading/clusters/{item.cluster_id}/")
    seen = str(item.pk)
    response = first.post(
        f"/staff/grading/clusters/{item.cluster_id}/grade/", {"category": "B", "seen": seen}
    )
    assert response.status_code == 302
    assert "Category B" in page.content.decode()  # a choice offered, not a verdict
    second = sign_in(supervisor).get(f"/staff/grading/clusters/{item.cluster_id}/").content.decode()
    assert 'value="B" checked' not in second and "grader:" not in second.lower()
    assert (
        first.get(f"/staff/grading/clusters/{item.cluster_id}/")
        .content.decode()
        .count("You have graded this cluster")
        == 1
    )


def test_a_bad_grade_names_the_field_and_grades_nothing(
    sign_in: Callable[..., Client], queue_files: Queue, coffee_copies: list[bytes], grader: User
) -> None:
    (item,) = queue_files(coffee_copies[3])
    client = sign_in(grader)
    bad = client.post(
        f"/staff/grading/clusters/{item.cluster_id}/grade/", {"category": "D", "seen": str(item.pk)}
    )
    assert bad.status_code == 400
    assert 'href="#id_category"' in bad.content.decode() and "Select a category" in bad.content.decode()
    long = client.post(f"/staff/grading/clusters/{item.cluster_id}/grade/",
                       {"category": "A", "series": "x" * 101, "seen": str(item.pk)})  # fmt: skip
    assert long.status_code == 400 and 'href="#id_series"' in long.content.decode()
    assert not BankRecord.objects.exists() and Cluster.objects.get(pk=item.cluster_id).stage == Stage.FIRST


def test_the_metrics_show_the_looks_a_cluster_saved(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    items = queue_files(*coffee_copies)
    big = items[0].cluster
    client = sign_in(grader)
    client.get(f"/staff/grading/clusters/{big.pk}/")
    seen = ",".join(str(i.pk) for i in big.items.order_by("id"))
    client.post(f"/staff/grading/clusters/{big.pk}/grade/", {"category": "C", "seen": seen})
    page = sign_in(supervisor).get("/staff/grading/metrics/").content.decode()
    assert 'data-metric="looks-saved">2<' in page and 'data-metric="items-graded">3<' in page
    assert (
        'data-metric="second">1 cluster, 3 files' in page and 'data-metric="first">1 cluster, 1 file' in page
    )
    assert grader.username in page
    assert sign_in(grader).get("/staff/grading/metrics/").status_code == 403


def test_only_graders_reach_the_viewer(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    analyst: User,
    personas: dict[str, User],
) -> None:
    (item,) = queue_files(coffee_copies[3])
    for name in ("analyst", "liaison_a", "partner", "admin"):
        client = sign_in(personas[name])
        assert client.get(f"/staff/grading/items/{item.pk}/image").status_code == 403, name
        assert client.get(f"/staff/grading/clusters/{item.cluster_id}/").status_code == 403, name
        assert client.post(f"/staff/grading/items/{item.pk}/reveal/").status_code == 403, name
    assert AuditEntry.objects.filter(action="grading.reveal").count() == 0


def test_graders_settings_are_checked(sign_in: Callable[..., Client], grader: User) -> None:
    client = sign_in(grader)
    bad = client.post("/staff/grading/settings/", {"blur": "2", "break_minutes": "30"})
    assert bad.status_code == 400 and "Blur must be 6 or more" in bad.content.decode()
    assert client.post("/staff/grading/settings/", {"blur": "20", "break_minutes": "0"}).status_code == 302
    chosen = actions.viewer_settings(grader)
    assert (chosen.blur, chosen.greyscale, chosen.break_minutes) == (20, False, 0)


def test_the_bank_pages_keep_a_first_grade_from_a_second_grader(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    (item,) = queue_files(coffee_copies[3])
    _grade(item.cluster, grader, "B", series="S-hidden")
    rec = BankRecord.objects.get(sha256=item.sha256)
    second = User.objects.create_user(
        "grader2", password="x", organisation=grader.organisation, role="grader"
    )
    other = sign_in(second)
    page = other.get(f"/staff/hashbank/records/{rec.pk}/").content.decode()
    assert "Hidden" in page and "Category B</dd>" not in page and "S-hidden" not in page
    assert "S-hidden" not in other.get(f"/staff/hashbank/?hash={rec.sha256}").content.decode()
    assert f"/records/{rec.pk}/" not in other.get("/staff/hashbank/?category=B").content.decode()
    # The first grader and supervisors see it.
    assert "S-hidden" in sign_in(grader).get(f"/staff/hashbank/records/{rec.pk}/").content.decode()
    assert "S-hidden" in sign_in(supervisor).get(f"/staff/hashbank/records/{rec.pk}/").content.decode()
    assert f"/records/{rec.pk}/" in sign_in(grader).get("/staff/hashbank/?category=B").content.decode()


def test_a_graders_home_page_counts_what_waits_for_them(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    analyst: User,
) -> None:
    queue_files(*coffee_copies)
    page = sign_in(grader).get("/staff/").content.decode()
    assert "2 clusters (4 files) waiting for you" in page
    assert 'data-work="grading"' not in sign_in(analyst).get("/staff/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_a_self_referred_image_is_graded_for_the_young_person(
    orgs: Any, evidence: Any, unique_copies: list[bytes], grader: User, supervisor: User
) -> None:
    data = unique_copies[0]
    hashes = hash_bytes(data, "mine.png")
    assert hashes.sha256 is not None
    referred = submit_self_referral(
        "token-for-this-test", [SelfReferredFile(hashes.sha256, hashes.pdq, hashes.quality)]
    )
    record = BankRecord.objects.get(sha256=hashes.sha256)
    assert referred.referral.progress()["waiting"] == 1
    report = ReportIn.model_validate(a_report("SELF-COPY", media=[]))
    (result,) = submit_reports([report], organisation=orgs.platform, source="industry")
    assert isinstance(result, Submitted)
    attach_file(result.report, store.put(data).blob, file_name="copy.png")
    finish_report(result.report)
    call_command("worker", "--burst")
    item = Item.objects.get()
    assert (item.origin, item.record_id) == ("self_referral", record.pk)
    _grade(item.cluster, grader, "C")
    _grade(item.cluster, supervisor, "C")
    record.refresh_from_db()
    assert record.shareable and record.sources.filter(bank_list__name="national").exists()
    assert referred.referral.progress()["listed"] == 1


def test_the_viewer_reminds_a_grader_to_take_a_break(
    sign_in: Callable[..., Client], queue_files: Queue, coffee_copies: list[bytes], grader: User
) -> None:
    (item,) = queue_files(coffee_copies[3])
    client = sign_in(grader)
    url = f"/staff/grading/clusters/{item.cluster_id}/"
    assert "Time for a break" not in client.get(url).content.decode()
    now = timezone.now()
    # Four looks of 9 minutes, 1 minute apart: 36 minutes with no break, past the default 30.
    for k in range(4):
        opened = now - timedelta(minutes=40 - 10 * k)
        Look.objects.create(
            grader=grader, cluster=item.cluster, opened_at=opened, closed_at=opened + timedelta(minutes=9)
        )
    assert "Time for a break" in client.get(url).content.decode()
    actions.save_viewer_settings(grader, blur=12, greyscale=True, break_minutes=0)
    assert "Time for a break" not in client.get(url).content.decode()


def test_grading_a_cluster_merged_away_grades_nothing(
    sign_in: Callable[..., Client], queue_files: Queue, coffee_copies: list[bytes], grader: User
) -> None:
    (first,) = queue_files(coffee_copies[0])
    (second,) = queue_files(coffee_copies[1], cluster=False)
    client = sign_in(grader)
    client.get(f"/staff/grading/clusters/{second.cluster_id}/")
    recluster()  # the newer item's cluster joins the older one
    response = client.post(
        f"/staff/grading/clusters/{second.cluster_id}/grade/", {"category": "A", "seen": str(second.pk)}
    )
    assert response.status_code == 302 and not BankRecord.objects.exists()
    assert Item.objects.get(pk=second.pk).cluster_id == first.cluster_id


def test_a_record_being_graded_in_the_queue_is_graded_there_not_on_the_bank_page(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    (item,) = queue_files(coffee_copies[3])
    _grade(item.cluster, grader, "B")
    rec = BankRecord.objects.get(sha256=item.sha256)
    client = sign_in(supervisor)
    page = client.get(f"/staff/hashbank/records/{rec.pk}/").content.decode()
    assert f"/staff/grading/clusters/{item.cluster_id}/" in page and "Save my verdict" not in page
    refused = client.post(f"/staff/hashbank/records/{rec.pk}/verdict/", {"category": "B"})
    assert refused.status_code == 400 and "grade it there" in refused.content.decode()
    assert BankRecord.objects.get(pk=rec.pk).graders == 1
