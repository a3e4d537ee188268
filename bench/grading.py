"""The grading queue's two costs: clustering a large queue into near-duplicates, and serving a thumbnail.

    HAVEN_DEBUG=1 .venv/bin/python -m bench.grading --items 100000 --sample 5000 --thumbnails 200

Clustering: ``--items`` synthetic PDQ hashes (a third of them near-duplicates of others, 1 to 24 bits away;
the rest unrelated), first as the pure function (the multi-index finds every pair within 31 bits), then end
to end as ``recluster`` on a scratch database holding them as queued items. The baseline, in the same run,
compares every pair on a sample of ``--sample`` hashes; its time for all the items is extrapolated by n².

Thumbnails: ``GET /staff/grading/items/N/image`` as a signed-in grader (a Django test client in the same
process, so the time is the server's: sign-in checks, decrypting the file from the evidence store, decoding,
resizing, blurring, encoding and the audit entry) for a 12-megapixel JPEG photograph-like picture and a
1-megapixel PNG. The baseline decodes the JPEG at full size before resizing (no draft mode).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time

import numpy as np
from PIL import Image, ImageFilter

from bench import setup_database
from bench.queue import signed_in


def pdqs(total: int, rng: random.Random) -> list[str | None]:
    hashes: list[int] = []
    for _ in range(total):
        if hashes and rng.random() < 1 / 3:
            base = rng.choice(hashes)
            for bit in rng.sample(range(256), rng.randrange(1, 25)):
                base ^= 1 << bit
            hashes.append(base)
        else:
            hashes.append(rng.getrandbits(256))
    return [f"{h:064x}" for h in hashes]


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def clustering(total: int, sample: int) -> None:
    from haven.grading.clustering import components, components_naive

    rng = random.Random(16)
    hashes = pdqs(total, rng)
    start = time.perf_counter()
    labels = components(hashes, 31)
    took = time.perf_counter() - start
    start = time.perf_counter()
    naive = components_naive(hashes[:sample], 31)
    took_naive = time.perf_counter() - start
    assert components(hashes[:sample], 31) == naive  # the same clusters on the sample
    print(f"clustering {total:,} hashes: {len(set(labels)):,} clusters")
    print("| way | items | time | all items |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| `components` (multi-index) | {total:,} | **{took:.2f} s** | {took:.2f} s |")
    whole = took_naive * (total / sample) ** 2
    print(f"| all pairs (baseline) | {sample:,} | {took_naive:.2f} s | {whole:,.0f} s (extrapolated) |")
    end_to_end(hashes)


def end_to_end(hashes: list[str | None]) -> None:
    from django.utils import timezone

    from haven.grading.actions import recluster
    from haven.grading.models import Cluster, Item

    Item.objects.all().delete()
    Cluster.objects.all().delete()
    now = timezone.now()
    for first in range(0, len(hashes), 5000):
        chunk = hashes[first : first + 5000]
        clusters = Cluster.objects.bulk_create(Cluster(queued_at=now) for _ in chunk)
        Item.objects.bulk_create(
            Item(sha256=f"{first + k:064x}", pdq=pdq or "", origin="scan", cluster=cluster, queued_at=now)
            for k, (pdq, cluster) in enumerate(zip(chunk, clusters, strict=True))
        )
    start = time.perf_counter()
    moved = recluster()
    took = time.perf_counter() - start
    print(f"| `recluster` on the database ({moved:,} moved) | {len(hashes):,} | **{took:.2f} s** | |")
    print(f"clusters left: {Cluster.objects.count():,}")


def photo(width: int, height: int, seed: int) -> Image.Image:
    """A photograph-like picture: smooth shapes and fine grain, so that JPEG and PNG sizes are realistic."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 64, width // 64, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    grain = rng.integers(-8, 9, (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.int16) + grain, 0, 255).astype(np.uint8))


def naive_thumbnail(data: bytes, blur: int) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.load()
    image.thumbnail((320, 320))
    out = io.BytesIO()
    image.convert("L").filter(ImageFilter.GaussianBlur(blur)).save(out, "JPEG", quality=80)
    return out.getvalue()


def thumbnails(requests: int) -> None:
    from haven.accounts.models import Organisation, OrganisationKind, Role, User
    from haven.evidence import store
    from haven.grading.actions import queue_scanned
    from haven.hashbank.hashing import hash_bytes

    centre, _ = Organisation.objects.get_or_create(
        slug="bench-centre", defaults={"name": "Bench Centre", "kind": OrganisationKind.CENTRE}
    )
    grader = User.objects.filter(username="bench-grader").first() or User.objects.create_user(
        "bench-grader", password=None, role=Role.GRADER, organisation=centre
    )
    client = signed_in(grader)
    files: dict[str, bytes] = {}
    out = io.BytesIO()
    photo(4000, 3000, 1).save(out, "JPEG", quality=90)
    files["12-megapixel JPEG"] = out.getvalue()
    out = io.BytesIO()
    photo(1200, 900, 2).save(out, "PNG")
    files["1-megapixel PNG"] = out.getvalue()
    print(f"\nthumbnails, {requests} requests each, one at a time")
    print("| file | size | p50 | p95 | baseline (full decode) p50 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, data in files.items():
        hashes = hash_bytes(data, "bench")
        assert hashes.sha256 is not None
        (item,) = queue_scanned(
            [{"sha256": hashes.sha256, "pdq": hashes.pdq}], blobs={hashes.sha256: store.put(data).blob.pk}
        )
        url = f"/staff/grading/items/{item.pk}/image"
        assert client.get(url).status_code == 200  # warm
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        baseline = []
        for _ in range(max(10, requests // 10)):
            start = time.perf_counter()
            naive_thumbnail(store.read(hashes.sha256), 12)
            baseline.append(time.perf_counter() - start)
        p50, p95 = p50_p95(samples)
        base50 = p50_p95(baseline)[0]
        print(f"| {name} | {len(data) / 1e6:.1f} MB | {p50:.0f} ms | **{p95:.0f} ms** | {base50:.0f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--thumbnails", type=int, default=200)
    args = parser.parse_args()
    scratch = setup_database()
    from django.conf import settings

    settings.EVIDENCE_DIR = scratch / "evidence"
    clustering(args.items, args.sample)
    thumbnails(args.thumbnails)


if __name__ == "__main__":
    main()
