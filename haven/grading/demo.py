"""Demo grading work: generated abstract pictures (never real media), stored encrypted and queued as a scan
with the files would queue them, some as near-duplicates, one cluster already graded once."""

from __future__ import annotations

import io

from PIL import Image

from haven.accounts.models import User
from haven.evidence import store
from haven.grading.actions import Grade, grade_cluster, queue_scanned, recluster
from haven.grading.models import Cluster, Item, Stage
from haven.hashbank.demo import picture
from haven.hashbank.hashing import hash_bytes


def _variants(seed: int, count: int) -> list[bytes]:
    """The picture, then copies of it re-encoded as JPEG and made smaller: near-duplicates to cluster."""
    original = picture(seed)
    image = Image.open(io.BytesIO(original)).convert("RGB")
    copies = [original]
    for k in range(1, count):
        out = io.BytesIO()
        image.resize((image.width * (5 - k) // 5, image.height * (5 - k) // 5)).save(out, "JPEG", quality=85)
        copies.append(out.getvalue())
    return copies


def seed() -> dict[str, int]:
    """Queue the demo files once, cluster them, and have the demo grader grade one cluster; returns how many
    clusters wait at each stage."""
    files = _variants(700, 3) + _variants(701, 2) + _variants(702, 1) + _variants(703, 1)
    rows: list[dict[str, object]] = []
    blobs: dict[str, int] = {}
    for data in files:
        hashes = hash_bytes(data, "demo.png")
        assert hashes.sha256 is not None
        rows.append({"sha256": hashes.sha256, "md5": hashes.md5, "sha1": hashes.sha1, "pdq": hashes.pdq,
                     "quality": hashes.quality})  # fmt: skip
        if not Item.objects.filter(sha256=hashes.sha256).exists():
            blobs[hashes.sha256] = store.put(data).blob.pk
    queue_scanned(rows, blobs=blobs)
    recluster()
    grader = User.objects.filter(username="grader").first()
    second = Item.objects.get(sha256=rows[3]["sha256"]).cluster
    if grader is not None and second.stage == Stage.FIRST:
        seen = list(second.items.values_list("pk", flat=True))
        grade_cluster(second, grader=grader, seen=seen, grade=Grade("C", series="DEMO-GRADING"))
    return {stage: Cluster.objects.filter(stage=stage).count() for stage in Stage.values}
