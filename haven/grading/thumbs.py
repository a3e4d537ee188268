"""Thumbnails for the welfare viewer, made in memory from a file's bytes and never written anywhere.

By default a thumbnail is greyscale and heavily blurred; the blur is applied here, on the server, so that
the browser never receives the clear picture unless the grader has revealed that item. The same size and
decompression-bomb limits as hashing apply, checked from the header before anything is decoded.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from haven.hashbank.hashing import MAX_DECODE_PIXELS, MAX_PIXELS

SIZE = 320  # the longest side of a thumbnail, in pixels
BLUR_RANGE = (6, 40)  # the blur a grader may choose, as a Gaussian radius in thumbnail pixels


def thumbnail(data: bytes, *, blur: int, greyscale: bool) -> bytes:
    """A JPEG of at most ``SIZE`` pixels a side; blurred with radius ``blur`` (0: not blurred). Raises
    ValueError with a reason when the file is not an image that can be shown safely."""
    try:
        opened = Image.open(io.BytesIO(data))  # reads the header only
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise ValueError(f"image of {width} x {height} pixels is too large to show")
        if opened.format == "JPEG":
            opened.draft("L" if greyscale else "RGB", (SIZE, SIZE))  # decode at a reduced scale
        if opened.size[0] * opened.size[1] > MAX_DECODE_PIXELS:
            raise ValueError(f"image of {width} x {height} pixels is too large to show")
        image: Image.Image = ImageOps.exif_transpose(opened)
        image.thumbnail((SIZE, SIZE))
        image = image.convert("L" if greyscale else "RGB")
    except UnidentifiedImageError:
        raise ValueError("not an image the viewer can show") from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise ValueError(f"corrupt or truncated image: {exc}") from None
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
