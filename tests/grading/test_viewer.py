"""The welfare viewer: thumbnails blurred and greyscale unless one item is revealed, each reveal audited and
short-lived, nothing cached, and no decrypted byte written to disk."""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.grading.models import Item, Reveal
from haven.grading.thumbs import thumbnail
from tests.grading.conftest import Queue


def sharpness(jpeg: bytes) -> float:
    """The variance of the picture's Laplacian: high for a clear picture, near nothing for a blurred one."""
    grey = np.asarray(Image.open(io.BytesIO(jpeg)).convert("L"), dtype=np.float64)
    laplacian = 4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    return float(laplacian.var())


def image(client: Client, item: Item, reveal: int | None = None) -> bytes:
    url = f"/staff/grading/items/{item.pk}/image" + (f"?reveal={reveal}" if reveal else "")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_a_thumbnail_is_blurred_and_greyscale_until_revealed(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    (item,) = queue_files(coffee_copies[3])
    clear = sharpness(thumbnail(coffee_copies[3], blur=0, greyscale=True))
    client = sign_in(grader)
    blurred = image(client, item)
    assert Image.open(io.BytesIO(blurred)).mode == "L"
    assert sharpness(blurred) < clear / 50
    assert client.get(f"/staff/grading/items/{item.pk}/image?reveal=999").content == blurred  # no such reveal

    response = client.post(f"/staff/grading/items/{item.pk}/reveal/")
    shown = Reveal.objects.get()
    assert response["Location"].endswith(f"?reveal={shown.pk}#item-{item.pk}")
    entry = AuditEntry.objects.get(action="grading.reveal")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        grader.username,
        "grading.item",
        str(item.pk),
    )
    page = client.get(f"/staff/grading/clusters/{item.cluster_id}/?reveal={shown.pk}").content.decode()
    assert f"image?reveal={shown.pk}" in page and 'data-revealed="true"' in page
    revealed = image(client, item, shown.pk)
    assert sharpness(revealed) > clear / 2
    # The reveal is this grader's alone, and this item's alone.
    assert sharpness(image(sign_in(supervisor), item, shown.pk)) < clear / 50

    client.post(f"/staff/grading/reveals/{shown.pk}/hide/")
    assert sharpness(image(client, item, shown.pk)) < clear / 50
    ended = AuditEntry.objects.get(action="grading.reveal_end")
    assert ended.details["reveal"] == shown.pk and 0 <= ended.details["seconds"] <= 120
    served = AuditEntry.objects.filter(action="grading.image", object_id=str(item.pk))
    assert served.count() == 5 and served.filter(details__revealed=True).count() == 1


def test_a_reveal_runs_out(
    sign_in: Callable[..., Client], queue_files: Queue, coffee_copies: list[bytes], grader: User
) -> None:
    (item,) = queue_files(coffee_copies[3])
    client = sign_in(grader)
    client.post(f"/staff/grading/items/{item.pk}/reveal/")
    shown = Reveal.objects.get()
    Reveal.objects.filter(pk=shown.pk).update(started_at=timezone.now() - timedelta(seconds=121))
    clear = sharpness(thumbnail(coffee_copies[3], blur=0, greyscale=True))
    assert sharpness(image(client, item, shown.pk)) < clear / 50


def test_a_file_that_is_not_an_image_is_refused_with_a_reason(
    sign_in: Callable[..., Client], queue_files: Queue, grader: User
) -> None:
    (item,) = queue_files(b"not an image at all" * 10)
    response = sign_in(grader).get(f"/staff/grading/items/{item.pk}/image")
    assert response.status_code == 422 and b"cannot be shown" in response.content


def _files_changed_since(roots: list[Path], since: float) -> Iterator[Path]:
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                        yield path
                except OSError:
                    continue


def test_no_decrypted_byte_is_written_to_the_data_or_temp_directory(
    sign_in: Callable[..., Client], queue_files: Queue, unique_copies: list[bytes], grader: User
) -> None:
    start = time.time() - 1
    (item,) = queue_files(unique_copies[0])
    client = sign_in(grader)
    served = [image(client, item)]
    client.post(f"/staff/grading/items/{item.pk}/reveal/")
    served.append(image(client, item, Reveal.objects.get().pk))
    plain = unique_copies[0]
    needles = [plain[len(plain) // 2 : len(plain) // 2 + 64]] + [
        s[len(s) // 2 : len(s) // 2 + 64] for s in served
    ]
    roots = [Path(settings.VAR_DIR), Path(tempfile.gettempdir())]
    checked = 0
    for path in _files_changed_since(roots, start):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        checked += 1
        assert not any(n in data for n in needles), f"decrypted bytes in {path}"
    assert checked >= 1  # the encrypted blob itself, at least, was written under the temp directory


def test_only_the_graders_a_cluster_waits_for_see_its_files(
    sign_in: Callable[..., Client],
    queue_files: Queue,
    coffee_copies: list[bytes],
    grader: User,
    supervisor: User,
) -> None:
    (item,) = queue_files(coffee_copies[3])
    first = sign_in(grader)
    first.post(f"/staff/grading/clusters/{item.cluster_id}/grade/", {"category": "B", "seen": str(item.pk)})
    # The first grader has decided: the cluster waits for someone else now.
    assert first.get(f"/staff/grading/items/{item.pk}/image").status_code == 403
    assert first.post(f"/staff/grading/items/{item.pk}/reveal/").status_code == 403
    second = sign_in(supervisor)
    assert second.get(f"/staff/grading/items/{item.pk}/image").status_code == 200
    second.post(f"/staff/grading/clusters/{item.cluster_id}/grade/", {"category": "B", "seen": str(item.pk)})
    # Graded and verified: nobody needs to look again.
    assert second.get(f"/staff/grading/items/{item.pk}/image").status_code == 403
    assert not Reveal.objects.exists()


def test_a_video_is_shown_as_blurred_keyframes_and_banked_with_its_frames(
    sign_in: Callable[..., Client], queue_files: Queue, grader: User, tmp_path: Path
) -> None:
    from haven.grading.actions import Grade, grade_cluster  # noqa: PLC0415
    from haven.hashbank.footage import Film, altered, write  # noqa: PLC0415
    from haven.hashbank.matcher import matcher  # noqa: PLC0415
    from haven.hashbank.models import BankRecord  # noqa: PLC0415
    from haven.hashbank.video import hash_video  # noqa: PLC0415

    film = Film(seed=71, seconds=12, fps=10)
    data = write(film, tmp_path / "novel.mp4").read_bytes()
    (item,) = queue_files(data)
    clear = thumbnail(data, blur=0, greyscale=True)
    sheet = Image.open(io.BytesIO(clear))
    assert sheet.size == (3 * 160, 2 * 120)  # six keyframes of a 320 x 240 film, in three columns
    client = sign_in(grader)
    blurred = image(client, item)

    def first_frame(jpeg: bytes) -> bytes:  # inside the first tile, away from the edges between frames
        out = io.BytesIO()
        Image.open(io.BytesIO(jpeg)).crop((8, 8, 152, 112)).save(out, "PNG")
        return out.getvalue()

    assert sharpness(first_frame(blurred)) < sharpness(first_frame(clear)) / 20
    entry = AuditEntry.objects.filter(action="grading.image", object_id=str(item.pk)).get()
    assert entry.details["revealed"] is False
    grade_cluster(item.cluster, grader=grader, seen=[item.pk], grade=Grade(category="B", series="reel-71"))
    record = BankRecord.objects.get(sha256=item.sha256)
    assert record.duration == pytest.approx(12, abs=0.2) and record.frames.count() == 12
    marked, suffix = altered(film, "watermarked")
    [hit] = matcher().match_video(hash_video(write(marked, tmp_path / f"copy{suffix}")))
    assert (hit.record, hit.how) == (record.pk, "vpdq")
