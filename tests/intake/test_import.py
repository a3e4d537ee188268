"""`haven reports import` and `export`: bad lines named, re-runs change nothing, a kill -9 loses nothing."""

from __future__ import annotations

import io
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.intake.actions import ConflictError, submit_reports
from haven.intake.models import Identifier, Report
from haven.intake.schemas import ReportIn
from tests.conftest import Orgs
from tests.intake.conftest import a_report
from tests.test_cli import HAVEN


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_mixed_file_gets_its_good_lines_in_and_names_the_bad(tmp_path: Path, orgs: Orgs) -> None:
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            json.dumps(a_report("R-1")),
            json.dumps(a_report("R-2", incident__type="bullying")),
            "{not json",
            json.dumps(a_report(None)),  # no external id: keyed by its content
            "",
            json.dumps(a_report("R-1", incident__summary="changed")),
        ],
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("reports", "import", str(path), "--organisation", "platform", stdout=out)
    message = str(raised.value)
    assert f"{path}: line 2: incident.type:" in message
    assert f"{path}: line 3: (report): Invalid JSON" in message
    assert f"{path}: line 6: external_id 'R-1' is already used by another report" in message
    assert "2 created, 0 already there, 3 rejected" in out.getvalue()
    assert Report.objects.count() == 2
    assert Identifier.objects.count() == 16
    assert set(Report.objects.values_list("status", flat=True)) == {"received"}

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("reports", "import", str(path), "--organisation", "platform", stdout=out)
    assert "0 created, 2 already there, 3 rejected" in out.getvalue()
    assert Report.objects.count() == 2


def test_import_needs_a_known_organisation_or_a_source(tmp_path: Path, orgs: Orgs) -> None:
    path = write_lines(tmp_path / "r.jsonl", [json.dumps(a_report("R-1"))])
    with pytest.raises(CommandError, match="no organisation 'nobody'"):
        call_command("reports", "import", str(path), "--organisation", "nobody")
    with pytest.raises(CommandError, match="give --source"):
        call_command("reports", "import", str(path))
    with pytest.raises(CommandError, match=r"missing\.jsonl: cannot open"):
        call_command("reports", "import", str(tmp_path / "missing.jsonl"), "--source", "hotline")
    call_command("reports", "import", str(path), "--source", "hotline", stdout=io.StringIO())
    call_command("reports", "import", str(path), "--source", "hotline", stdout=io.StringIO())
    assert Report.objects.get().source == "hotline"


def test_export_gives_back_the_schema_with_havens_fields(
    tmp_path: Path, orgs: Orgs, capsys: pytest.CaptureFixture[str]
) -> None:
    original = a_report("R-9")
    call_command(
        "reports", "import", str(write_lines(tmp_path / "r.jsonl", [json.dumps(original)])),
        "--organisation", "platform", stdout=io.StringIO(),
    )  # fmt: skip
    capsys.readouterr()
    call_command("reports", "export")
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert (row["organisation"], row["status"], row["source"]) == ("platform", "received", "industry")
    assert row["id"] == str(Report.objects.get().uid)
    assert row["incident"]["occurred_at"] == "2026-11-20T13:05:00Z"
    assert row["priority"] is None  # not processed yet, so not scored
    for haven_field in ("id", "organisation", "status", "source", "priority"):
        row.pop(haven_field)
    assert ReportIn.model_validate(row).canonical() == ReportIn.model_validate(original).canonical()


def test_a_kill_minus_9_then_a_rerun_leaves_every_report_once(env: dict[str, str], tmp_path: Path) -> None:
    """A real process on a real SQLite file, killed part-way through the import, then run again."""
    total = 8_000
    path = write_lines(tmp_path / "big.jsonl", [json.dumps(a_report(f"K-{i}")) for i in range(total)])
    database = env["HAVEN_DATABASE_URL"].removeprefix("sqlite:///")
    args = [*HAVEN, "reports", "import", str(path), "--organisation", "example-platform"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count() -> int:
        with sqlite3.connect(database, timeout=30) as connection:
            query = (
                "SELECT COUNT(*) FROM intake_report WHERE external_id LIKE 'K-%'"  # not the demo's reports
            )
            return int(connection.execute(query).fetchone()[0])

    deadline = time.monotonic() + 90
    while count() == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    at_kill = count()
    assert 0 < at_kill < total, "the kill should land part-way through"
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{total - at_kill} created, {at_kill} already there, 0 rejected" in rerun.stdout
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM intake_report WHERE external_id LIKE 'K-%'"
        ).fetchone()
    assert rows == (total, total)


def test_a_submitted_reports_payload_reads_back_from_the_database(orgs: Orgs) -> None:
    (result,) = submit_reports(
        [ReportIn.model_validate(a_report("P-1"))], organisation=orgs.platform, source="industry"
    )
    assert not isinstance(result, ConflictError)
    assert result.report.payload["incident"]["type"] == "online_enticement"
    assert result.report.payload == Report.objects.get(external_id="P-1").payload
