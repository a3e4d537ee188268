"""Benchmarks, run by hand; each compares Haven with a baseline in the same run (docs/PERFORMANCE.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def setup_database() -> Path:
    """Django on a throwaway SQLite file, or on HAVEN_DATABASE_URL when set (a scratch database), migrated.
    Returns a scratch folder for the benchmark's own files."""
    scratch = Path(tempfile.mkdtemp(prefix="haven-bench-"))
    os.environ.setdefault("HAVEN_DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the haven command sets it
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return scratch
