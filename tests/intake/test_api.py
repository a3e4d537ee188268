"""The reports API: submit, retry, conflict, finish, retract, batch, and one organisation's boundary."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from haven.audit.models import AuditEntry
from haven.intake.models import Identifier, Report, ReportMedia
from tests.conftest import Keys
from tests.intake.conftest import a_report
from tests.test_api import assert_problem, bearer

URL = "/api/v1/reports"


def post(client: Client, key: str, body: Any, url: str = URL, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **bearer(key), **headers)  # type: ignore[arg-type]


def test_a_report_is_stored_whole_and_acknowledged(client: Client, keys: Keys) -> None:
    response = post(client, keys.platform, a_report())
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(uid=body["id"])
    assert body["status"] == "open"
    assert body["status_url"] == f"{URL}/{report.uid}"
    assert report.external_id == "ESP-2026-000123"
    assert report.source == "industry"
    assert report.organisation is not None and report.organisation.slug == "platform"
    assert report.payload["incident"]["summary"] == "An adult asked a child for pictures."
    kinds = sorted(Identifier.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == sorted(
        ["email", "phone", "username", "account_id", "ip", "device_id", "url", "payment_id"]
    )
    ip = Identifier.objects.get(report=report, kind="ip")
    assert (ip.value, ip.port, ip.event) == ("192.0.2.10", 51234, "login")
    assert ReportMedia.objects.get(report=report).sha256 == "ab" * 32
    assert AuditEntry.objects.filter(action="intake.reports_submitted").count() == 1


def test_an_annotation_beyond_the_known_ones_is_kept(client: Client, keys: Keys) -> None:
    response = post(client, keys.platform, a_report(incident__annotations=["viral", "financial_motive"]))
    assert response.status_code == 201
    assert Report.objects.get().payload["incident"]["annotations"] == ["viral", "financial_motive"]


def test_a_time_offset_beyond_any_place_is_kept_as_the_same_instant(client: Client, keys: Keys) -> None:
    # RFC 3339 allows -21:12; PostgreSQL keeps no more than 15:59 (schemathesis found the 500 this was).
    body = a_report(reported_persons__0__identifiers__4__seen_at="1766-03-07T17:34:35-21:12")
    assert post(client, keys.platform, body).status_code == 201
    seen = Identifier.objects.get(kind="ip").seen_at
    assert seen is not None and seen.utcoffset() == timedelta(0)
    assert seen == datetime(1766, 3, 8, 14, 46, 35, tzinfo=UTC)
    normal = a_report("ESP-2", reported_persons__0__identifiers__4__seen_at="2026-11-20T13:01:00+05:30")
    assert post(client, keys.platform, normal).status_code == 201
    kept = Report.objects.get(external_id="ESP-2").payload["reported_persons"][0]["identifiers"][4]
    assert kept["seen_at"] == "2026-11-20T13:01:00+05:30"  # a real offset is kept as given


def test_retries_are_idempotent_and_conflicts_get_409(client: Client, keys: Keys) -> None:
    first = post(client, keys.platform, a_report()).json()
    again = post(client, keys.platform, a_report())
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    changed = post(client, keys.platform, a_report(incident__summary="Something else."))
    body = assert_problem(changed, 409)
    assert "ESP-2026-000123" in str(body["detail"])
    assert Report.objects.count() == 1
    assert Report.objects.get().payload["incident"]["summary"] == "An adult asked a child for pictures."
    # Another organisation may use the same external id for its own report.
    assert post(client, keys.other_platform, a_report()).status_code == 201
    assert Report.objects.count() == 2


def test_the_idempotency_key_header_works_the_same(client: Client, keys: Keys) -> None:
    report = a_report(external_id=None)
    first = post(client, keys.platform, report, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = post(client, keys.platform, report, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert_problem(
        post(client, keys.platform, a_report(external_id=None, victims=[]), HTTP_IDEMPOTENCY_KEY="k-1"), 409
    )
    # Without any key, the same body is a new report: nothing says it is a retry.
    assert post(client, keys.platform, report).status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"incident__type": "bullying"}, "incident.type"),
        ({"reported_persons__0__identifiers__2__kind": "fax"}, "reported_persons[0].identifiers[2].kind"),
        ({"reported_persons__0__identifiers__5__port": 80}, "reported_persons[0].identifiers[5]"),
        ({"reported_persons__0__identifiers__2__platform": None}, "reported_persons[0].identifiers[2]"),
        ({"media__0__sha256": "xyz"}, "media[0].sha256"),
        ({"incident__occurred_at": "2026-11-20T13:05:00"}, "incident.occurred_at"),
        ({"victims__0__shoe_size": 3}, "victims[0].shoe_size"),
        ({"incident__annotations": ["viral", "Not One!"]}, "incident.annotations[1]"),
    ],
)
def test_a_bad_field_is_named(client: Client, keys: Keys, change: dict[str, Any], path: str) -> None:
    body = assert_problem(post(client, keys.platform, a_report(**change)), 422)
    assert path in [e["path"] for e in body["errors"]]  # type: ignore[attr-defined]
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the worker runs after real commits, on its own connection
def test_finish_then_the_worker_matches_the_media(client: Client, keys: Keys) -> None:
    uid = post(client, keys.platform, a_report()).json()["id"]
    finished = post(client, keys.platform, {}, f"{URL}/{uid}/finish")
    assert finished.json()["status"] == "received"
    assert post(client, keys.platform, {}, f"{URL}/{uid}/finish").json()["status"] == "received"
    assert_problem(post(client, keys.platform, {}, f"{URL}/{uid}/retract"), 409)
    call_command("worker", "--burst")
    status = client.get(f"{URL}/{uid}", **bearer(keys.platform)).json()  # type: ignore[arg-type]
    assert status["status"] == "processed"
    assert status["media"][0]["match_status"] == "novel"  # the bank is empty


def test_retract_before_finish(client: Client, keys: Keys) -> None:
    uid = post(client, keys.platform, a_report()).json()["id"]
    assert post(client, keys.platform, {}, f"{URL}/{uid}/retract").json()["status"] == "retracted"
    assert_problem(post(client, keys.platform, {}, f"{URL}/{uid}/finish"), 409)


def test_a_key_sees_only_its_own_reports(client: Client, keys: Keys) -> None:
    uid = post(client, keys.platform, a_report()).json()["id"]
    for url in (f"{URL}/{uid}",):
        assert_problem(client.get(url, **bearer(keys.other_platform)), 404)  # type: ignore[arg-type]
    assert_problem(post(client, keys.other_platform, {}, f"{URL}/{uid}/finish"), 404)
    assert_problem(post(client, keys.other_platform, {}, f"{URL}/{uid}/retract"), 404)
    assert Report.objects.get().status == "open"
    mine = client.get(URL, **bearer(keys.platform)).json()  # type: ignore[arg-type]
    assert [r["id"] for r in mine["items"]] == [uid]
    theirs = client.get(URL, **bearer(keys.other_platform)).json()  # type: ignore[arg-type]
    assert theirs == {"items": [], "count": 0}
    assert_problem(post(client, keys.hashes_only, a_report()), 403)


def test_a_batch_takes_the_good_and_names_the_bad(client: Client, keys: Keys) -> None:
    post(client, keys.platform, a_report("ESP-1"))
    reports = [
        a_report("ESP-2"),
        a_report("ESP-3", incident__type="bullying"),
        a_report("ESP-1"),  # the same as the one already stored
        a_report("ESP-1", incident__summary="changed"),  # a conflict
        a_report("ESP-4", media__0__md5="nothex"),
        a_report("ESP-5"),
    ]
    response = post(client, keys.platform, {"reports": reports}, f"{URL}:batch")
    assert response.status_code == 200
    results = response.json()
    assert [r["outcome"] for r in results] == [
        "created",
        "invalid",
        "existing",
        "conflict",
        "invalid",
        "created",
    ]
    assert results[1]["errors"][0]["path"] == "reports[1].incident.type"
    assert results[4]["errors"][0]["path"] == "reports[4].media[0].md5"
    assert Report.objects.count() == 3
    assert Report.objects.get(external_id="ESP-2").status == "received"  # a batch is finished at once
    again = post(client, keys.platform, {"reports": reports}, f"{URL}:batch").json()
    assert [r["outcome"] for r in again] == [
        "existing",
        "invalid",
        "existing",
        "conflict",
        "invalid",
        "existing",
    ]
    assert Report.objects.count() == 3
    too_many = post(client, keys.platform, {"reports": [a_report(None)] * 1001}, f"{URL}:batch")
    assert "reports" in [e["path"] for e in assert_problem(too_many, 422)["errors"]]  # type: ignore[attr-defined]


def test_files_stream_into_the_evidence_store(
    client: Client, keys: Keys, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from haven.evidence import store  # noqa: PLC0415

    settings.EVIDENCE_DIR = tmp_path / "evidence"
    content = b"benign stand-in bytes " * 100
    sha = hashlib.sha256(content).hexdigest()
    uid = post(client, keys.platform, a_report(media__0__sha256=sha)).json()["id"]
    url = f"{URL}/{uid}/files"

    def upload(key: str, data: bytes, name: str = "img1.jpg") -> Any:
        return client.post(url, {"file": SimpleUploadedFile(name, data)}, **bearer(key))  # type: ignore[arg-type]

    assert_problem(upload(keys.other_platform, content), 404)
    response = upload(keys.platform, content)
    assert response.status_code == 200
    md5, sha1 = hashlib.md5(content).hexdigest(), hashlib.sha1(content).hexdigest()  # noqa: S324
    expected = {"sha256": sha, "md5": md5, "sha1": sha1, "size": len(content), "media_position": 0}
    assert response.json() == expected
    assert upload(keys.platform, content).json()["media_position"] == 0  # the same file again
    other = upload(keys.platform, b"another file", "b.png").json()
    assert other["media_position"] == 1
    media = ReportMedia.objects.get(report__uid=uid, position=0)
    assert media.blob is not None and store.read(media.blob.sha256) == content
    for path in (tmp_path / "evidence").rglob("*"):
        assert not path.is_file() or b"benign stand-in" not in path.read_bytes()
    settings.EVIDENCE_MAX_BYTES = 100
    assert_problem(upload(keys.platform, content), 413)
    assert_problem(client.post(url, {"nothing": "here"}, **bearer(keys.platform)), 400)  # type: ignore[arg-type]
    post(client, keys.platform, {}, f"{URL}/{uid}/finish")
    settings.EVIDENCE_MAX_BYTES = 10_000
    assert_problem(upload(keys.platform, b"late"), 409)


def test_an_upload_stores_one_file_and_only_to_an_open_report(
    client: Client, keys: Keys, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from haven.evidence.models import Blob  # noqa: PLC0415

    settings.EVIDENCE_DIR = tmp_path / "evidence"
    uid = post(client, keys.platform, a_report(media=[])).json()["id"]
    url = f"{URL}/{uid}/files"
    three = {
        name: SimpleUploadedFile(f"{name}.png", name.encode() * 50) for name in ("file", "more", "extra")
    }
    problem = assert_problem(client.post(url, three, **bearer(keys.platform)), 400)  # type: ignore[arg-type]
    assert "one file part" in str(problem["detail"])
    assert Blob.objects.count() == 1  # the `file` part; the other two were never stored
    both = {"file": [SimpleUploadedFile("a.png", b"a" * 50), SimpleUploadedFile("b.png", b"b" * 50)]}
    two_named_file = client.post(url, both, **bearer(keys.platform))  # type: ignore[arg-type]
    assert_problem(two_named_file, 400)
    assert Blob.objects.count() == 2

    post(client, keys.platform, {}, f"{URL}/{uid}/finish")
    late = client.post(url, {"file": SimpleUploadedFile("late.png", b"late" * 50)}, **bearer(keys.platform))  # type: ignore[arg-type]
    assert_problem(late, 409)
    assert Blob.objects.count() == 2  # checked before a byte was stored
