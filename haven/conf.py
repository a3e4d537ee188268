"""Typed readers for settings that come from the environment.

Each reader raises ImproperlyConfigured with the variable's name, so a bad value stops start-up with a
message an operator can act on. A ``NAME_FILE`` variant lets a secret come from a file (Docker or systemd
credentials) instead of the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name}: expected a comma-separated list, got {raw!r}")
    return items


def env_secret(name: str) -> str | None:
    """Read ``NAME`` or the file named by ``NAME_FILE``; setting both is an error."""
    direct = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if direct and file_name:
        raise ImproperlyConfigured(f"{name} and {name}_FILE are both set; set only one")
    if file_name:
        path = Path(file_name)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE: {file_name} is empty")
        return value
    if direct is not None and not direct.strip():
        raise ImproperlyConfigured(f"{name}: is set but empty")
    return direct


def sqlite_database(path: Path) -> dict[str, Any]:
    # WAL lets readers run while one writer commits; IMMEDIATE transactions take the write lock at BEGIN,
    # so two writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # A file, not Django's default in-memory test database: the browser tests' live server then reads
        # the same data from its own threads through its own connections.
        "TEST": {"NAME": str(path.with_name(f"test_{path.stem}.sqlite3"))},
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        },
    }


def env_database(name: str, default_sqlite: Path) -> dict[str, Any]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return sqlite_database(default_sqlite)
    if raw.startswith("sqlite:"):
        path = raw.removeprefix("sqlite:").removeprefix("//")
        if not path or path == "/":
            raise ImproperlyConfigured(
                f"{name}: a sqlite URL needs a file path, e.g. sqlite:////var/haven.db"
            )
        return sqlite_database(Path(path))
    if not raw.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"{name}: expected postgresql://user:password@host:port/name or sqlite:///path, got {raw!r}"
        )
    try:
        max_age = env_int("HAVEN_DB_CONN_MAX_AGE", 60, minimum=0)
        config = dict(dj_database_url.parse(raw, conn_max_age=max_age, conn_health_checks=max_age > 0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}: the URL names no database")
    return config
