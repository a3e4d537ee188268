"""The `haven` command as an operator runs it: real processes on a real SQLite file."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven.cli"]


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def base_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env.update(
        HAVEN_SECRET_KEY="cli-test-secret-key-0123456789abcdefghijkl",
        HAVEN_EVIDENCE_KEY="Y2xpLXRlc3QtZXZpZGVuY2Uta2V5LW5vdC1yZWFsISE=",
        HAVEN_DATABASE_URL=f"sqlite:///{tmp / 'haven.sqlite3'}",
        HAVEN_VAR_DIR=str(tmp),
        HAVEN_LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and demo-seeded database, made once; tests work on copies."""
    tmp = tmp_path_factory.mktemp("seeded")
    env = base_env(tmp)
    assert run(["migrate", "--verbosity", "0"], env).returncode == 0
    demo = run(["demo"], env)
    assert demo.returncode == 0, demo.stderr
    assert "supervisor" in demo.stdout
    return tmp / "haven.sqlite3"


@pytest.fixture
def env(seeded: Path, tmp_path: Path) -> dict[str, str]:
    shutil.copy(seeded, tmp_path / "haven.sqlite3")
    return base_env(tmp_path)


def db(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["HAVEN_DATABASE_URL"].removeprefix("sqlite:///"))


def test_help_lists_every_command() -> None:
    out = run(["--help"], dict(os.environ)).stdout
    for command in ("migrate", "serve", "worker", "createuser", "apikey", "audit", "demo"):
        assert f"\n  {command} " in out


def test_demo_seeding_is_idempotent(env: dict[str, str]) -> None:
    with db(env) as conn:
        before = conn.execute("SELECT count(*) FROM accounts_user").fetchone()
        records = conn.execute("SELECT count(*), max(updated_at) FROM hashbank_bankrecord").fetchone()
        reports = conn.execute("SELECT count(*) FROM intake_report").fetchone()
        demo_reports = conn.execute(
            "SELECT count(*) FROM intake_report WHERE external_id LIKE 'DEMO-%'"
        ).fetchone()
        (summarised,) = conn.execute("SELECT sum(reports) FROM insights_reportday").fetchone()
    # The national list's demo pictures, the self-referral's two, and the two a demo grader has graded once.
    assert records[0] == 24 + 2 + 2
    with db(env) as conn:
        stages = dict(conn.execute("SELECT stage, count(*) FROM grading_cluster GROUP BY stage").fetchall())
        # The queue, and the insights' history of graded clusters.
        assert stages == {"first": 3, "second": 1, "done": 150}
        assert conn.execute("SELECT count(*) FROM grading_item WHERE blob_id IS NOT NULL").fetchone() == (7,)
    assert demo_reports == (12,)
    # The insights' synthetic history beside them, every report of it summarised.
    assert reports[0] > 4000 and summarised == reports[0]
    again = run(["demo"], env)
    assert again.returncode == 0, again.stderr
    with db(env) as conn:
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone() == before
        assert conn.execute("SELECT count(*) FROM accounts_apikey").fetchone() == (1,)
        assert conn.execute("SELECT count(*), max(updated_at) FROM hashbank_bankrecord").fetchone() == records
        assert conn.execute("SELECT count(*) FROM intake_report").fetchone() == reports
        assert conn.execute("SELECT count(*) FROM intake_selfreferral").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM grading_item").fetchone() == (7,)
        referrals = conn.execute(
            "SELECT r.state, o.slug FROM referrals_referral r "
            "JOIN accounts_organisation o ON o.id = r.force_id WHERE r.subject_reference != 'SUBJ-SYNTHETIC'"
        ).fetchall()
        (holds,) = conn.execute("SELECT count(*) FROM intel_hold WHERE closed_at IS NULL").fetchone()
    # The busiest demo person, sent to both forces: each demo liaison has a case held by the other force too.
    assert sorted(referrals) == [("acknowledged", "greater-manchester"), ("sent", "west-yorkshire")]
    assert holds == 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (make install)")
def test_a_demo_referrals_package_opens_names_its_deadline_and_reasons_and_embeds_no_media(
    env: dict[str, str], tmp_path: Path
) -> None:
    listed = run(["referrals", "list"], env)
    assert listed.returncode == 0, listed.stderr
    # The first demo referral still open (the insights' synthetic history, all closed, comes before it).
    reference = next(line.split()[0] for line in listed.stdout.splitlines() if "\toutcome\t" not in line)
    pdf = tmp_path / "package.pdf"
    written = run(["referrals", "package", reference, "--output", str(pdf)], env)
    assert written.returncode == 0, written.stderr
    text = " ".join(
        subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert f"{reference} " in text and "Act by 20" in text and "acknowledge by 20" in text
    assert "The reporter says a child is in imminent danger: always P1 (incident.imminent_danger)" in text
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 0
    images = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2, images  # the header only: no image
    with db(env) as conn:
        (audited,) = conn.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'referrals.package'"
        ).fetchone()
    assert audited == 1


def test_audit_verify_passes_on_an_untouched_database(env: dict[str, str]) -> None:
    result = run(["audit", "verify"], env)
    assert result.returncode == 0, result.stderr
    assert "audit chain intact" in result.stdout


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        ("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 3", "entry #3"),
        ("UPDATE audit_auditentry SET at = '2020-01-01 00:00:00' WHERE seq = 5", "entry #5"),
        ("DELETE FROM audit_auditentry WHERE seq = 4", "entry #5"),
        ("DELETE FROM audit_auditentry WHERE seq = (SELECT max(seq) FROM audit_auditentry)", "chain head"),
        (
            "INSERT INTO audit_auditentry (seq, at, actor, organisation, action, object_type, object_id,"
            " ip, user_agent, details, prev_hash, hash) SELECT max(seq) + 1, at, '', '', 'forged', '', '',"
            " '', '', '{}', hash, 'f00d' FROM audit_auditentry",
            "entry #",
        ),
    ],
)
def test_audit_verify_fails_after_a_hand_edit_of_the_file(
    env: dict[str, str], tamper: str, named: str
) -> None:
    with db(env) as conn:
        conn.execute(tamper)
    result = run(["audit", "verify"], env)
    assert result.returncode != 0
    assert named in result.stderr


def test_apikey_create_prints_the_key_alone_on_the_last_line(env: dict[str, str]) -> None:
    result = run(["apikey", "create", "--organisation", "example-hotline", "--scope", "hashes:read"], env)
    assert result.returncode == 0, result.stderr
    key = result.stdout.rstrip("\n").splitlines()[-1]
    assert key.startswith("hvn_")
    assert " " not in key
    with db(env) as conn:
        rows = conn.execute(
            "SELECT prefix, digest, scopes FROM accounts_apikey WHERE prefix = ?", [key.split("_")[1]]
        )
        prefix, digest, scopes = rows.fetchone()
    assert key not in digest  # stored hashed
    assert scopes == '["hashes:read"]'
    revoke = run(["apikey", "revoke", prefix], env)
    assert revoke.returncode == 0
    assert "revoked" in revoke.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["apikey", "create", "--organisation", "nowhere", "--scope", "hashes:read"],
            "no organisation 'nowhere'",
        ),
        (["apikey", "create", "--organisation", "centre", "--scope", "hashes:read"], "partner organisations"),
        (
            ["apikey", "create", "--organisation", "example-hotline", "--scope", "hashes:delete"],
            "invalid choice",
        ),
        (["apikey", "revoke", "zzzzzzzz"], "no API key"),
        (
            ["createuser", "eve", "--role", "force_liaison", "--organisation", "centre"],
            "must belong to a police force",
        ),
        (["createuser", "eve", "--role", "wizard"], "invalid choice"),
        (["createuser", "analyst", "--role", "analyst"], "already exists"),
    ],
)
def test_bad_cli_input_exits_non_zero_and_says_why(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = run(args, env)
    assert result.returncode != 0
    assert message in result.stderr


def test_createuser_reads_a_password_from_stdin(env: dict[str, str]) -> None:
    weak = run(["createuser", "eve", "--role", "grader", "--password-stdin"], env, stdin="password\n")
    assert weak.returncode != 0
    assert "password rejected" in weak.stderr
    ok = run(
        ["createuser", "eve", "--role", "grader", "--password-stdin"],
        env,
        stdin="a-long-unusual-passphrase-7\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert "password:" not in ok.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HAVEN_DEBUG", "maybe", "HAVEN_DEBUG: expected a boolean"),
        ("HAVEN_DATABASE_URL", "mysql://db/haven", "HAVEN_DATABASE_URL: expected postgresql://"),
        ("HAVEN_SECRET_KEY", "short", "HAVEN_SECRET_KEY: must be at least 32"),
        ("HAVEN_SESSION_IDLE_SECONDS", "ten", "HAVEN_SESSION_IDLE_SECONDS: expected a whole number"),
        ("HAVEN_DEMO_SKIP_2FA", "1", "HAVEN_DEMO_SKIP_2FA: allowed only together with HAVEN_DEBUG=1"),
        ("HAVEN_SECRET_KEY_FILE", "/nonexistent/key", "HAVEN_SECRET_KEY_FILE: cannot read"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(
    env: dict[str, str], variable: str, value: str, message: str
) -> None:
    env[variable] = value
    if variable == "HAVEN_SECRET_KEY_FILE":
        del env["HAVEN_SECRET_KEY"]
    result = run(["check"], env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(env: dict[str, str]) -> None:
    del env["HAVEN_SECRET_KEY"]
    result = run(["check"], env)
    assert result.returncode == 2
    assert "HAVEN_SECRET_KEY: not set" in result.stderr


def test_the_secret_key_can_come_from_a_file(env: dict[str, str], tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("file-secret-key-0123456789abcdefghijklmnop\n")
    env.pop("HAVEN_SECRET_KEY")
    env["HAVEN_SECRET_KEY_FILE"] = str(key_file)
    assert run(["check"], env).returncode == 0


def test_worker_burst_drains_the_queue(env: dict[str, str]) -> None:
    # `haven demo` processed the demo reports itself (the referrals need subjects), and left queued their
    # processing and a chain verification; a burst worker runs both, the first finding nothing more to do.
    with db(env) as conn:
        queued = conn.execute("SELECT task_path, status FROM django_tasks_database_dbtaskresult").fetchall()
    assert sorted(queued) == [
        ("haven.audit.tasks.verify_audit_chain", "READY"),
        ("haven.intake.tasks.process_reports", "READY"),
    ]
    result = run(["worker", "--burst"], env)
    assert result.returncode == 0, result.stderr
    with db(env) as conn:
        rows = dict(
            conn.execute("SELECT task_path, status FROM django_tasks_database_dbtaskresult").fetchall()
        )
        (processed,) = conn.execute(
            "SELECT count(*) FROM intake_report WHERE status = 'processed' AND external_id LIKE 'DEMO-%'"
        ).fetchone()
        (verified,) = conn.execute(
            "SELECT return_value FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%verify%'"
        ).fetchone()
        sizes = sorted(
            n for (n,) in conn.execute("SELECT count(*) FROM intel_member GROUP BY subject_id").fetchall()
        )
    assert set(rows.values()) == {"SUCCESSFUL"}
    assert processed == 12
    assert sizes == [1, 2, 2, 3, 4]  # the demo's five invented people, each one subject
    assert '"ok": true' in verified


def test_a_bank_import_killed_mid_file_resumes_exactly(env: dict[str, str], tmp_path: Path) -> None:
    rows = 40_000
    listing = tmp_path / "list.csv"
    with listing.open("w", encoding="utf-8") as out:
        out.write("md5,sha1,sha256,pdq,category,series,source\n")
        for i in range(rows):
            out.write(f"{i:032x},,{i:064x},,B,,kill test\n")
    command = [*HAVEN, "bank", "import", str(listing), "--format", "csv", "--chunk", "2000"]
    importing = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def records() -> int:
        with db(env) as conn:
            return int(conn.execute("SELECT count(*) FROM hashbank_bankrecord").fetchone()[0])

    seeded = records()
    try:
        deadline = time.monotonic() + 60
        while records() - seeded < 6000 and importing.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        importing.send_signal(signal.SIGKILL)
    finally:
        importing.wait(30)
    kept = records() - seeded
    assert 0 < kept < rows, "the import was not cut short"
    assert kept % 2000 == 0  # whole chunks only: nothing half-written
    again = run(["bank", "import", str(listing), "--format", "csv", "--chunk", "2000"], env)
    assert again.returncode == 0, again.stderr
    assert f"{rows - kept} created, 0 merged, {kept} unchanged" in again.stdout
    assert records() - seeded == rows


def test_a_generated_password_is_one_time(env: dict[str, str]) -> None:
    made = run(["createuser", "gus", "--role", "grader"], env)
    assert made.returncode == 0, made.stderr
    assert "password:" in made.stdout and "one-time" in made.stdout
    chosen = run(
        ["createuser", "eve", "--role", "grader", "--password-stdin"], env, "a-long-unusual-passphrase-7\n"
    )
    assert chosen.returncode == 0
    with db(env) as conn:
        flags = dict(conn.execute("SELECT username, password_is_one_time FROM accounts_user").fetchall())
    assert (flags["gus"], flags["eve"]) == (1, 0)


def test_without_an_evidence_key_a_server_does_not_start(env: dict[str, str]) -> None:
    keyless = {k: v for k, v in env.items() if k != "HAVEN_EVIDENCE_KEY"}
    for command in (["worker", "--burst"], ["migrate"]):
        refused = run(command, keyless)
        assert refused.returncode != 0
        assert "HAVEN_EVIDENCE_KEY is not set" in refused.stderr, refused.stderr
    made = run(["evidence", "new-key"], keyless)  # how the first key is made
    assert made.returncode == 0 and len(made.stdout.strip()) == 44


def test_resetuser_gives_a_new_one_time_password_and_removes_the_authenticator(env: dict[str, str]) -> None:
    assert run(["createuser", "gus", "--role", "grader"], env).returncode == 0
    with db(env) as conn:
        (user_id,) = conn.execute("SELECT id FROM accounts_user WHERE username = 'gus'").fetchone()
        conn.execute("UPDATE accounts_user SET password_is_one_time = 0 WHERE id = ?", (user_id,))
        conn.execute(
            "INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits, "
            "tolerance, drift, last_t, throttling_failure_timestamp, throttling_failure_count, created_at, "
            "last_used_at) "
            "VALUES (?, 'phone', 1, '00', 30, 0, 6, 1, 0, -1, NULL, 0, NULL, NULL)",
            (user_id,),
        )
    reset = run(["resetuser", "gus"], env)
    assert reset.returncode == 0, reset.stderr
    assert "1 authenticator(s) removed" in reset.stdout and "password:" in reset.stdout
    with db(env) as conn:
        flag = conn.execute(
            "SELECT password_is_one_time FROM accounts_user WHERE id = ?", (user_id,)
        ).fetchone()
        devices = conn.execute(
            "SELECT count(*) FROM otp_totp_totpdevice WHERE user_id = ?", (user_id,)
        ).fetchone()
        audited = conn.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'user.sign_in_reset'"
        ).fetchone()
    assert (flag[0], devices[0], audited[0]) == (1, 0, 1)
    assert run(["resetuser", "nobody"], env).returncode != 0
