"""Benign stand-in images: scikit-image's bundled samples, and altered copies made here."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import skimage
from PIL import Image, ImageEnhance, ImageOps

from haven.hashbank.actions import add_records
from haven.hashbank.hashing import hash_file
from haven.hashbank.importing import RecordInput
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankList, BankRecord

SAMPLES = Path(skimage.__file__).parent / "data"
# Bank originals, and unrelated images that are never banked.
# Bank originals (photographs and scans; fine repeating textures such as brick.png are poor PDQ subjects,
# see docs/PERFORMANCE.md), and unrelated images that are never banked.
BANKED = [
    "chelsea.png", "coffee.png", "coins.png", "horse.png", "hubble_deep_field.jpg", "moon.png",
    "rocket.jpg", "retina.jpg", "motorcycle_left.png", "ihc.png", "cell.png", "microaneurysms.png",
]  # fmt: skip
UNRELATED = [
    "gravel.png", "brick.png", "grass.png", "page.png", "phantom.png", "text.png", "logo.png",
    "color.png", "clock_motion.png",
]  # fmt: skip

# The PDQ reference implementation's own test images (BSD licence, beside them in LICENSE).
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "pdq-reference"


def load(name: str) -> Image.Image:
    return Image.open(SAMPLES / name).convert("RGB")


def save(image: Image.Image, path: Path, fmt: str = "PNG", **kwargs: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt, **kwargs)
    return path


ALTERATIONS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "reencoded": lambda im: Image.open(io.BytesIO(_jpeg(im, 70))).convert("RGB"),
    "resized": lambda im: im.resize((im.width // 2, im.height // 2)),
    "greyscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "brightened": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "mirrored": ImageOps.mirror,
    "rotated90": lambda im: im.rotate(90, expand=True),
}


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.fail(f"PDQ reference images missing: expected {REFERENCE} in the checkout")
    return REFERENCE


@pytest.fixture
def banked(db: None) -> Iterator[dict[str, int]]:
    """The originals in the national list, each its own series."""
    matcher().reset()
    national = BankList.objects.get(name="national")
    ids = {}
    for name in BANKED:
        h = hash_file(SAMPLES / name)
        add_records(
            [
                RecordInput(
                    sha256=h.sha256, pdq=h.pdq, pdq_quality=h.quality, category="C", series=f"series-{name}"
                )
            ],
            national,
        )
        ids[name] = BankRecord.objects.get(sha256=h.sha256).pk
    yield ids
    matcher().reset()
