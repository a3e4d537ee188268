"""Thumbnails for the welfare viewer, made in memory from a file's bytes and never written anywhere; a
video's is a sheet of its keyframes.

By default a thumbnail is greyscale and heavily blurred; the blur is applied here, on the server, so that
the browser never receives the clear picture unless the grader has revealed that item. The same size and
decompression-bomb limits as hashing apply, checked from the header before anything is decoded.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from haven.hashbank.hashing import MAX_DECODE_PIXELS, MAX_PIXELS
from haven.hashbank.video import VideoError, keyframes, looks_like_video

SIZE = 320  # the longest side of a thumbnail, in pixels
BLUR_RANGE = (6, 40)  # the blur a grader may choose, as a Gaussian radius in thumbnail pixels


def thumbnail(data: bytes, *, blur: int, greyscale: bool) -> bytes:
    """A JPEG of at most ``SIZE`` pixels a side; blurred with radius ``blur`` (0: not blurred). Raises
    ValueError with a reason when the file is not an image that can be shown safely. A video is never
    played: it is shown as a sheet of keyframes (``sheet``), blurred in the same way."""
    if looks_like_video("", data[:512]):
        return sheet(data, blur=blur, greyscale=greyscale)
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
    return _jpeg(image, blur)


def _jpeg(image: Image.Image, blur: int) -> bytes:
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


SHEET_COLUMNS = 3


def sheet(data: bytes, *, blur: int, greyscale: bool) -> bytes:
    """Six keyframes spread over a video, in three columns, each blurred on its own (so that one frame's
    edges do not bleed into the next): a grader sees what a video holds without it playing."""
    try:
        frames = keyframes(data, count=6, size=SIZE // 2)
    except VideoError as exc:
        raise ValueError(str(exc)) from None
    tile_w = max(f.shape[1] for _, f in frames)
    tile_h = max(f.shape[0] for _, f in frames)
    rows = -(-len(frames) // SHEET_COLUMNS)
    board = Image.new("L" if greyscale else "RGB", (tile_w * SHEET_COLUMNS, tile_h * rows), 0)
    for n, (_, pixels) in enumerate(frames):
        tile = Image.fromarray(pixels).convert("L" if greyscale else "RGB")
        if blur:
            tile = tile.filter(ImageFilter.GaussianBlur(blur / 2))
        board.paste(tile, ((n % SHEET_COLUMNS) * tile_w, (n // SHEET_COLUMNS) * tile_h))
    return _jpeg(board, 0)
