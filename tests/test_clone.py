"""A clone stands on its own: nothing the project tracks reaches outside the checkout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|parents\[3\]")


def test_no_tracked_file_reaches_outside_the_checkout() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    offenders = []
    for name in tracked:
        path = ROOT / name
        if (
            not name
            or path.suffix not in {".py", ".md", ".toml", ".mjs", ".json", ".cfg", ""}
            or not path.is_file()
        ):
            continue
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert offenders == []


def test_the_reference_images_carry_their_licence() -> None:
    folder = ROOT / "tests" / "data" / "pdq-reference"
    assert (folder / "expected.tsv").is_file()
    assert "BSD License" in (folder / "LICENSE").read_text(encoding="utf-8")
