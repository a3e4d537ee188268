"""Queued media for the grading tests: benign stand-in images (scikit-image's samples), stored encrypted in
a fresh evidence store, and queued as a scan with the files would queue them."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from haven.evidence import store
from haven.grading.actions import queue_scanned, recluster
from haven.grading.models import Item
from haven.hashbank.demo import picture
from haven.hashbank.hashing import hash_bytes
from tests.hashbank.conftest import load

Queue = Callable[..., list[Item]]


def encoded(image: Image.Image, fmt: str = "PNG", **kwargs: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def evidence(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return Path(settings.EVIDENCE_DIR)


@pytest.fixture
def queue_files(evidence: Path, db: None) -> Queue:
    """Store each file, queue it as a scan with consent to upload would, and cluster the queue."""

    def put(*files: bytes, cluster: bool = True) -> list[Item]:
        rows: list[dict[str, object]] = []
        blobs: dict[str, int] = {}
        for data in files:
            hashes = hash_bytes(data, "file")
            assert hashes.sha256 is not None
            blobs[hashes.sha256] = store.put(data).blob.pk
            rows.append({"sha256": hashes.sha256, "md5": hashes.md5, "sha1": hashes.sha1, "pdq": hashes.pdq,
                         "quality": hashes.quality})  # fmt: skip
        items = queue_scanned(rows, blobs=blobs)
        if cluster:
            recluster()
        return [Item.objects.get(pk=i.pk) for i in items]

    return put


@pytest.fixture
def coffee_copies() -> list[bytes]:
    """Three near-duplicates of one picture (PNG, JPEG, smaller) and one unrelated picture."""
    coffee = load("coffee.png")
    return [
        encoded(coffee),
        encoded(coffee, "JPEG", quality=80),
        encoded(coffee.resize((coffee.width // 2, coffee.height // 2))),
        encoded(load("chelsea.png")),
    ]


@pytest.fixture
def unique_copies() -> list[bytes]:
    """Three near-duplicates of a picture made for this test alone (so that no other test, running beside
    it, writes the same bytes anywhere): a generated picture under random noise, as PNG, JPEG and smaller."""
    rng = np.random.default_rng(secrets.randbits(64))
    base = np.asarray(
        Image.open(io.BytesIO(picture(secrets.randbelow(10**6)))).convert("RGB"), dtype=np.int16
    )
    noisy = Image.fromarray(np.clip(base + rng.integers(-12, 13, base.shape), 0, 255).astype(np.uint8))
    return [encoded(noisy), encoded(noisy, "JPEG", quality=85), encoded(noisy.resize((320, 240)))]
