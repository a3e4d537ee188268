"""Generated still pictures for tests, the evaluation and the benchmarks: benign scenes (colour fields,
shapes, lines of invented text) and the alterations that defeat a global hash such as PDQ: a crop of up to
10% from each side, an overlay (text, a logo, stickers) over up to 15% of the picture, a rotation of up to
5 degrees, and those combined with re-encoding and resizing.

Nothing here shows a person. A ``seed`` makes the same scene every time. Scenes share a few palettes and one
kind of background, so that unrelated scenes make fair distractors for each other.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PALETTES = (
    ((34, 49, 63), (230, 126, 34), (236, 240, 241), (41, 128, 185), (192, 57, 43)),
    ((29, 112, 184), (0, 112, 60), (255, 221, 0), (244, 119, 56), (11, 12, 12)),
    ((88, 24, 69), (144, 12, 63), (199, 0, 57), (255, 87, 51), (255, 195, 0)),
    ((38, 70, 83), (42, 157, 143), (233, 196, 106), (244, 162, 97), (231, 111, 81)),
    ((20, 33, 61), (252, 163, 17), (229, 229, 229), (255, 255, 255), (0, 0, 0)),
)
WORDS = (
    "harbour", "meadow", "lantern", "copper", "violet", "orchard", "pebble", "thistle", "beacon", "willow",
    "granite", "saffron", "heron", "quarry", "juniper", "marble", "ember", "fjord", "tundra", "cobalt",
)  # fmt: skip


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def scene(seed: int, width: int = 640, height: int = 480) -> Image.Image:
    """One picture: a smooth two-colour field with fine grain, then 12 to 30 shapes and a few words."""
    rng = random.Random(seed)  # noqa: S311  (test pictures, not secrets)
    palette = PALETTES[seed % len(PALETTES)]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
    mix = 0.5 + 0.5 * np.sin(4 * (a * x / width + b * y / height) + rng.uniform(0, 6))
    first, second = np.array(palette[0], np.float32), np.array(palette[2], np.float32)
    field = first * mix[..., None] + second * (1 - mix[..., None])
    grain = np.random.default_rng(seed).normal(0, 6, (height, width, 1)).astype(np.float32)
    image = Image.fromarray(np.clip(field + grain, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(12, 30)):
        colour = rng.choice(palette)
        x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
        w, h = rng.uniform(0.03, 0.25) * width, rng.uniform(0.03, 0.25) * height
        kind = rng.random()
        if kind < 0.3:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour, outline=rng.choice(palette))
        elif kind < 0.55:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        elif kind < 0.8:
            points = [(x0 + rng.uniform(0, w), y0 + rng.uniform(0, h)) for _ in range(rng.randint(3, 6))]
            draw.polygon(points, fill=colour)
        else:
            draw.line((x0, y0, x0 + w, y0 + h), fill=colour, width=rng.randint(2, 6))
    for _ in range(rng.randint(2, 5)):
        text = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
        draw.text(
            (rng.uniform(0, width * 0.7), rng.uniform(0, height * 0.9)),
            text,
            fill=rng.choice(palette),
            font=_font(rng.randint(14, 40)),
        )
    return image


def crop(image: Image.Image, rng: random.Random, most: float = 0.10) -> Image.Image:
    """Up to ``most`` cut from each side, at least 3% from one."""
    w, h = image.size
    cuts = [rng.uniform(0, most) for _ in range(4)]
    cuts[rng.randrange(4)] = rng.uniform(0.03, most)
    left, top, right, bottom = cuts
    return image.crop((round(left * w), round(top * h), round(w * (1 - right)), round(h * (1 - bottom))))


def overlay(image: Image.Image, rng: random.Random, most: float = 0.15) -> Image.Image:
    """A banner of text, a logo panel and stickers, covering between half of ``most`` and ``most``."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    budget = rng.uniform(most / 2, most) * w * h
    # A banner across the top or bottom: about half the budget.
    band = min(h * 0.12, budget * 0.5 / w)
    top = 0 if rng.random() < 0.5 else h - band
    draw.rectangle((0, top, w, top + band), fill=(255, 255, 255))
    font = _font(max(8, int(band * 0.7)))
    draw.text((w * 0.03, top + band * 0.1), "shared by example.com", fill=(0, 0, 0), font=font)
    # A logo panel in a corner: about a quarter.
    side = (budget * 0.25) ** 0.5
    lx = rng.choice((w * 0.02, w * 0.98 - side))
    ly = h * 0.15 if top > 0 else h * 0.85 - side
    draw.ellipse((lx, ly, lx + side, ly + side), fill=(200, 30, 30))
    font = _font(max(8, int(side * 0.4)))
    draw.text((lx + side * 0.2, ly + side * 0.3), "EX", fill=(255, 255, 255), font=font)
    # Stickers (a star, a smiling face, a heart-like pair of discs): the rest.
    size = max(12, int((budget * 0.25 / 3) ** 0.5))
    for n in range(3):
        sx, sy = rng.uniform(0, w - size), rng.uniform(h * 0.15, h * 0.85 - size)
        if n == 0:
            star = [(sx + size / 2 + size / (2 if k % 2 == 0 else 5) * np.cos(np.pi * k / 5 - np.pi / 2),
                     sy + size / 2 + size / (2 if k % 2 == 0 else 5) * np.sin(np.pi * k / 5 - np.pi / 2))
                    for k in range(10)]  # fmt: skip
            draw.polygon(star, fill=(255, 215, 0), outline=(120, 80, 0))
        elif n == 1:
            draw.ellipse((sx, sy, sx + size, sy + size), fill=(255, 221, 0), outline=(0, 0, 0), width=2)
            draw.arc((sx + size * 0.25, sy + size * 0.3, sx + size * 0.75, sy + size * 0.75), 20, 160,
                     fill=(0, 0, 0), width=2)  # fmt: skip
        else:
            draw.ellipse((sx, sy, sx + size * 0.55, sy + size * 0.55), fill=(220, 20, 60))
            draw.ellipse((sx + size * 0.45, sy, sx + size, sy + size * 0.55), fill=(220, 20, 60))
            draw.polygon([(sx + size * 0.03, sy + size * 0.4), (sx + size * 0.97, sy + size * 0.4),
                          (sx + size / 2, sy + size)], fill=(220, 20, 60))  # fmt: skip
    return out


def rotate(image: Image.Image, rng: random.Random, most: float = 5.0) -> Image.Image:
    """Turned by 1 to ``most`` degrees either way, the corners filled black, as phone editors leave them."""
    angle = rng.uniform(1.0, most) * rng.choice((-1, 1))
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)


def reencode(image: Image.Image, quality: int = 60) -> Image.Image:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def resize(image: Image.Image, rng: random.Random) -> Image.Image:
    scale = rng.uniform(0.5, 0.8)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def _combined(image: Image.Image, rng: random.Random) -> Image.Image:
    return resize(reencode(overlay(rotate(crop(image, rng, 0.07), rng, 3.0), rng, 0.10)), rng)


ALTERATIONS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "crop": crop,
    "overlay": overlay,
    "rotation": rotate,
    "crop+reencode": lambda im, rng: reencode(crop(im, rng)),
    "overlay+resize": lambda im, rng: resize(overlay(im, rng), rng),
    "rotation+reencode+resize": lambda im, rng: resize(reencode(rotate(im, rng)), rng),
    "combined": _combined,
}


def altered(image: Image.Image, how: str, seed: int) -> Image.Image:
    """``image`` as one alteration leaves it; the same seed makes the same copy."""
    if how not in ALTERATIONS:
        raise ValueError(f"no alteration {how!r}")
    return ALTERATIONS[how](image, random.Random(f"{how}:{seed}"))  # noqa: S311


def as_array(image: Image.Image) -> np.ndarray[Any, Any]:
    return np.asarray(image.convert("RGB"))
