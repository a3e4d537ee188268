"""Demo bank records: hashes of generated abstract pictures (shapes on gradients), never real media."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from haven.accounts.models import User
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict
from haven.hashbank.hashing import hash_bytes
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import BankRecord

DEMO_RECORDS = 24


def picture(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    rng = random.Random(seed)  # noqa: S311  (repeatable pictures, not secrets)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top, bottom = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(2)]
    for y in range(size[1]):
        mix = y / size[1]
        draw.line(
            [(0, y), (size[0], y)],
            fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        box = [x0, y0, x0 + rng.randrange(40, 240), y0 + rng.randrange(40, 200)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed() -> int:
    """Add the demo records once; returns how many exist."""
    national = get_or_create_list("national")
    items = []
    for i in range(DEMO_RECORDS):
        h = hash_bytes(picture(i), f"demo-{i}.png", robust=True)
        items.append(
            RecordInput(
                md5=h.md5,
                sha1=h.sha1,
                sha256=h.sha256,
                pdq=h.pdq,
                pdq_quality=h.quality,
                category=("A", "B", "C", "not_indecent")[i % 4],
                series=f"DEMO-{i // 6 + 1}",
                source="demo",
                features=h.features,  # so that a cropped or captioned copy is found by the robust stage
            )
        )
    add_records(items, national, origin="haven demo")
    # The demo grader and supervisor agree on every record, so the demo hash list has verified entries.
    graders = list(User.objects.filter(username__in=["grader", "supervisor"]))
    for rec in BankRecord.objects.filter(sources__source="demo", graders=0).distinct():
        for grader in graders:
            give_verdict(rec, grader=grader, category=rec.category)
    return BankRecord.objects.filter(sources__source="demo").distinct().count()
