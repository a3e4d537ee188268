"""The API does what its OpenAPI document says: schemathesis (every check) against a live server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from haven.accounts.actions import create_api_key
from tests.conftest import Orgs

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing(live_server: LiveServer, orgs: Orgs, tmp_path: Path) -> None:
    scopes = ["reports:write", "reports:read", "hashes:match", "hashes:read"]
    key = create_api_key(orgs.platform, scopes).secret
    result = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{live_server.url}/api/v1/openapi.json", "--checks", "all",
            "--header", f"Authorization: Bearer {key}", "--max-examples", "40", "--seed", "20261130",
            "--workers", "1", "--no-color",
        ],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout
