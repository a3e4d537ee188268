"""Exact and perceptual hashes of one file: md5, sha1 and sha256 of the bytes, and PDQ of the pixels.

PDQ reduces every image to 64x64 luminance before hashing, so the fast path asks the JPEG decoder for a
reduced-scale decode (Pillow's draft mode, a power-of-two DCT scaling) no smaller than ``DRAFT_SIZE`` on each
side. That skips most of the decoding work on large photos and moves the hash by a few bits (see
docs/PERFORMANCE.md), and hashes with Haven's compiled PDQ (``pdqfast``). ``exact=True`` decodes every
pixel and hashes with the reference's own code, reproducing Meta's reference hash bit for bit.

EXIF orientation is not applied, as in the reference implementation: Haven hashes the pixels as stored.
A copy that differs only by its orientation tag still matches, because matching queries all eight
rotations and flips of the PDQ hash.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
from PIL import Image, UnidentifiedImageError

from haven.hashbank import pdqfast
from haven.hashbank.robust import features

try:  # HEIC/HEIF support is optional at run time, but installed by default.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover
    pass

DRAFT_SIZE = 512
# The reference says a hash of quality below 50 is too featureless to match on.
MIN_MATCH_QUALITY = 50
# Decompression-bomb limit: refuse images whose header claims more pixels than this (about 16k x 11k).
MAX_PIXELS = 178_956_970
# Decoding every pixel costs about 12 bytes a pixel at its peak (the decoded image, the array, PDQ's
# buffers): 430 MB for a 6000 x 6000 PNG. An image that would decode to more pixels than this is refused
# (a JPEG on the fast path decodes at an eighth of its size, or less, so it rarely is). The default keeps a
# worker under about 400 MB; HAVEN_MAX_DECODE_PIXELS changes it for machines with more memory a worker.
MAX_DECODE_PIXELS = int(os.environ.get("HAVEN_MAX_DECODE_PIXELS", "") or 32_000_000)
# Pillow's own bomb check warns through the process-wide warnings filters (which threads share, so catching
# it is not thread-safe) and raises only at twice its limit. Haven checks the size from the header itself,
# before a pixel is decoded.
Image.MAX_IMAGE_PIXELS = None

# The order pdqhash.compute_dihedral returns, named as in the PDQ reference.
DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flip_x", "flip_y", "flip_plus1", "flip_minus1")


@dataclass
class FileHashes:
    path: str
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    quality: int | None = None
    dihedral: list[str] = field(default_factory=list)
    error: str | None = None
    # Second-stage features (``robust.Features.to_bytes``), when asked for and the picture has corners enough.
    features: bytes | None = None

    @classmethod
    def given(
        cls,
        *,
        md5: str | None = None,
        sha1: str | None = None,
        sha256: str | None = None,
        pdq: str | None = None,
        quality: int | None = None,
        path: str = "",
    ) -> FileHashes:
        """Hashes someone sent instead of a file: lowercased, empty ones dropped. A PDQ hash sent without its
        quality is taken as good enough to match (100)."""

        def clean(value: str | None) -> str | None:
            return value.lower() if value else None

        if quality is None and pdq:
            quality = 100
        return cls(
            path=path, md5=clean(md5), sha1=clean(sha1), sha256=clean(sha256), pdq=clean(pdq), quality=quality
        )

    @property
    def matchable(self) -> bool:
        return self.pdq is not None and (self.quality or 0) >= MIN_MATCH_QUALITY

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("dihedral")
        data.pop("features")
        return data


def bits_to_hex(vector: np.ndarray[Any, Any]) -> str:
    return np.packbits(vector.astype(np.uint8)).tobytes().hex()


def decode_pixels(data: bytes, *, exact: bool) -> np.ndarray[Any, Any]:
    """Decode to an RGB array, or for a JPEG on the fast path to its luminance (Y) channel alone, at a
    reduced scale. Raises ValueError with a reason a person can act on, before decoding anything too big."""
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValueError(
                f"image of {width} x {height} pixels is larger than the {MAX_PIXELS:,}-pixel limit "
                "(possible decompression bomb)"
            )
        fast_jpeg = not exact and image.format == "JPEG" and image.mode in {"RGB", "L"}
        if fast_jpeg:
            # Y is PDQ's own luminance (the same 0.299/0.587/0.114 weights), so the colour planes need not
            # be decoded at all.
            image.draft("L", (DRAFT_SIZE, DRAFT_SIZE))
        decoded = image.size[0] * image.size[1]
        if decoded > MAX_DECODE_PIXELS:
            raise ValueError(
                f"image of {width} x {height} pixels would decode to more than the {MAX_DECODE_PIXELS:,} "
                "pixels a worker decodes (HAVEN_MAX_DECODE_PIXELS)"
            )
        image.load()
        pixels = image.convert("L" if fast_jpeg else "RGB")
    except UnidentifiedImageError:
        raise ValueError("not an image Haven can read") from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise ValueError(f"corrupt or truncated image: {exc}") from None
    return np.asarray(pixels)


def pdq_of_pixels(
    pixels: np.ndarray[Any, Any], *, dihedral: bool, exact: bool = False
) -> tuple[str, int, list[str]]:
    """PDQ, quality and the dihedral variants. The fast path uses Haven's compiled PDQ (same hash as the
    reference on the same pixels); ``exact`` goes through the reference's own code in ``pdqhash``."""
    if not exact:
        return pdqfast.pdq(pixels, dihedral=dihedral)
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(pixels)
        hexes = [bits_to_hex(v) for v in vectors]
        return hexes[0], int(quality), hexes
    vector, quality = pdqhash.compute(pixels)
    return bits_to_hex(vector), int(quality), []


def exact_hashes(data: bytes) -> tuple[str, str, str]:
    """md5, sha1 and sha256 of the bytes, in hex."""
    return (
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
        hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


def hash_bytes(
    data: bytes, path: str, *, exact: bool = False, dihedral: bool = False, robust: bool = False
) -> FileHashes:
    """md5, sha1, sha256 and PDQ of one file's bytes, and with ``robust`` the second stage's features from
    the same decoded pixels. A bad file's reason is in ``error``."""
    md5, sha1, sha256 = exact_hashes(data)
    result = FileHashes(path=path, md5=md5, sha1=sha1, sha256=sha256)
    try:
        pixels = decode_pixels(data, exact=exact)
    except ValueError as exc:
        result.error = str(exc)
        return result
    result.pdq, result.quality, result.dihedral = pdq_of_pixels(pixels, dihedral=dihedral, exact=exact)
    if robust:
        found = features(pixels)
        result.features = found.to_bytes() if found is not None else None
    return result


def features_of_bytes(data: bytes) -> bytes | None:
    """An image file's second-stage features, decoded as for PDQ; None when it is not an image Haven reads
    or has too few corners to match on."""
    try:
        found = features(decode_pixels(data, exact=False))
    except ValueError:
        return None
    return found.to_bytes() if found is not None else None


def hash_file(
    path: Path | str, *, exact: bool = False, dihedral: bool = False, robust: bool = False
) -> FileHashes:
    """Hash one file. Never raises for a bad file: the reason is in ``error``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileHashes(path=str(path), error=f"cannot read: {exc.strerror or exc}")
    return hash_bytes(data, str(path), exact=exact, dihedral=dihedral, robust=robust)


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
