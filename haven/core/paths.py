"""How Haven names a field in a JSON document, in errors from the API, the batch API and the imports."""

from __future__ import annotations

from collections.abc import Iterable


def json_path(parts: Iterable[object], prefix: str = "") -> str:
    """``["reported_persons", 0, "identifiers", 2, "kind"]`` → ``reported_persons[0].identifiers[2].kind``."""
    path = prefix
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
