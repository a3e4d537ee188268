"""PDQ computed in one compiled pass, for the fast path.

The steps are those of Meta's reference (pdqhashing.cpp): float luminance, two passes of the Jarosz box
filter along rows and columns, decimation to 64x64, a quality score from the gradients, a 64-to-16 DCT, and
a threshold at the median of the 16x16 coefficients. The eight rotations and flips come from the 16x16
coefficients, as in the reference: mirroring the image changes the sign of the odd-frequency coefficients,
and transposing it transposes them.

The ``pdqhash`` package wraps the reference, but computes luminance with float64 numpy temporaries and runs
the box filter per pixel; together they took 17 ms of a 35 ms fast-path hash of a 12 MP JPEG. This module
takes the luminance from 8-bit RGB inside the compiled loop, or straight from a JPEG's Y channel, which the
decoder gives without decoding colour at all. Its hashes equal ``pdqhash``'s on the same
pixels (tests/hashbank/test_hashing.py checks every reference image and all eight variants); ``--exact`` still
goes through ``pdqhash`` itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

_DCT = np.array(
    [[math.sqrt(2.0 / 64) * math.cos((math.pi / 2 / 64) * (i + 1) * (2 * j + 1)) for j in range(64)]
     for i in range(16)],
    dtype=np.float32,
)  # fmt: skip


@njit(cache=True, nogil=True)
def _window(old: int, new: int) -> int:  # pragma: no cover  (compiled)
    return (old + 2 * new - 1) // (2 * new)


@njit(cache=True, nogil=True)
def _box(src: Any, dst: Any, start: int, length: int, stride: int, window: int) -> None:  # pragma: no cover
    """One 1-D box filter over src[start + k * stride], as box1DFloat in the reference."""
    half = (window + 2) // 2
    li = start
    ri = start
    oi = start
    total = np.float32(0.0)
    current = 0
    for _ in range(half - 1):
        total += src[ri]
        current += 1
        ri += stride
    for _ in range(window - half + 1):
        total += src[ri]
        current += 1
        dst[oi] = total / np.float32(current)
        ri += stride
        oi += stride
    for _ in range(length - window):
        total += src[ri]
        total -= src[li]
        dst[oi] = total / np.float32(current)
        li += stride
        ri += stride
        oi += stride
    for _ in range(half - 1):
        total -= src[li]
        current -= 1
        dst[oi] = total / np.float32(current)
        li += stride
        oi += stride


@njit(cache=True, nogil=True)
def _luma_rgb(pixels: Any) -> Any:  # pragma: no cover  (compiled)
    rows, cols = pixels.shape[0], pixels.shape[1]
    luma = np.empty(rows * cols, dtype=np.float32)
    for r in range(rows):
        for c in range(cols):
            # As pdqhash: the weighted sum in double precision, rounded once to float.
            luma[r * cols + c] = np.float32(
                np.float64(pixels[r, c, 0]) * 0.299
                + np.float64(pixels[r, c, 1]) * 0.587
                + np.float64(pixels[r, c, 2]) * 0.114
            )
    return luma


@njit(cache=True, nogil=True)
def _luma_grey(pixels: Any) -> Any:  # pragma: no cover  (compiled)
    # A grey pixel g is (g, g, g) in RGB, whose weighted sum is g again.
    return pixels.astype(np.float32).reshape(-1)


@njit(cache=True, nogil=True)
def _to_64x64(one: Any, rows: int, cols: int) -> Any:  # pragma: no cover  (compiled)
    """Two Jarosz passes (box filters along rows, then columns), then every (rows/64)th sample."""
    two = np.empty(rows * cols, dtype=np.float32)
    along_rows = _window(cols, 64)
    along_cols = _window(rows, 64)
    for _ in range(2):
        for r in range(rows):
            _box(one, two, r * cols, cols, 1, along_rows)
        for c in range(cols):
            _box(two, one, c, rows, cols, along_cols)
    out = np.empty((64, 64), dtype=np.float32)
    for i in range(64):
        ini = int(((i + 0.5) * rows) / 64)
        for j in range(64):
            inj = int(((j + 0.5) * cols) / 64)
            out[i, j] = one[ini * cols + inj]
    return out


def _luma_64x64(pixels: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    luma = _luma_grey(pixels) if pixels.ndim == 2 else _luma_rgb(pixels)
    return _to_64x64(luma, pixels.shape[0], pixels.shape[1])  # type: ignore[no-any-return]


@njit(cache=True, nogil=True)
def _quality(block: Any) -> int:  # pragma: no cover  (compiled)
    gradient = 0
    for i in range(63):
        for j in range(64):
            gradient += int(abs(((block[i, j] - block[i + 1, j]) * np.float32(100)) / np.float32(255)))
    for i in range(64):
        for j in range(63):
            gradient += int(abs(((block[i, j] - block[i, j + 1]) * np.float32(100)) / np.float32(255)))
    return min(100, gradient // 90)


@njit(cache=True, nogil=True)
def _dct16(block: Any, dct: Any) -> Any:  # pragma: no cover  (compiled)
    """D A D^T for the 16 lowest non-constant frequencies, summed in the reference's order."""
    half = np.empty((16, 64), dtype=np.float32)
    for i in range(16):
        for j in range(64):
            total = np.float32(0.0)
            for k in range(64):
                total += dct[i, k] * block[k, j]
            half[i, j] = total
    out = np.empty((16, 16), dtype=np.float32)
    for i in range(16):
        for j in range(16):
            total = np.float32(0.0)
            for k in range(64):
                total += half[i, k] * dct[j, k]
            out[i, j] = total
    return out


def _coefficients(pixels: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], int]:
    block = _luma_64x64(np.ascontiguousarray(pixels))
    return _dct16(block, _DCT), int(_quality(block))


def _hex(coefficients: np.ndarray[Any, Any]) -> str:
    # Bit i*16+j is set when coefficient [i, j] is above the median; the hex string puts bit 255 first.
    # The reference's Torben median of 256 values is the lower middle one, the 128th smallest.
    flat = coefficients.reshape(-1)
    bits = (flat > np.partition(flat, 127)[127])[::-1]
    return np.packbits(bits).tobytes().hex()


# The reference's eight variants, in pdqhash's order, as (transpose, negate the odd-frequency rows, negate
# the odd-frequency columns) of the 16x16 coefficients. Row i holds frequency i + 1, so the odd frequencies
# are the even indexes. The table was checked against pdqhash.compute_dihedral (see the tests).
_VARIANTS = (
    (False, False, False),  # original
    (True, False, True),  # rotate90
    (False, True, True),  # rotate180
    (True, True, False),  # rotate270
    (False, True, False),  # flip_x
    (False, False, True),  # flip_y
    (True, False, False),  # flip_plus1
    (True, True, True),  # flip_minus1
)
_ODD = np.where(np.arange(16) % 2 == 0, -1.0, 1.0).astype(np.float32)


def _variant(c: np.ndarray[Any, Any], transpose: bool, rows: bool, cols: bool) -> np.ndarray[Any, Any]:
    out = c * _ODD[:, None] if rows else c
    out = out * _ODD[None, :] if cols else out
    return out.T if transpose else out


def pdq(pixels: np.ndarray[Any, Any], *, dihedral: bool) -> tuple[str, int, list[str]]:
    """PDQ hex, quality and (when asked) the eight variants of an (H, W, 3) uint8 RGB array, or of an
    (H, W) uint8 luminance array such as a JPEG's Y channel."""
    coefficients, quality = _coefficients(pixels)
    if not dihedral:
        return _hex(coefficients), int(quality), []
    hexes = [_hex(_variant(coefficients, *v)) for v in _VARIANTS]
    return hexes[0], int(quality), hexes
