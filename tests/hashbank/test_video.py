"""Videos: one decode gives the file's hashes and a PDQ hash a second; altered copies of a film match it
with both shares and the matched stretches; other films do not; and bombs, broken and truncated files
are refused with the reason, before or while decoding."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from haven.hashbank import video
from haven.hashbank.footage import ALTERATIONS, Film, altered, write
from haven.hashbank.video import Frame, compare, hash_video, looks_like_video, ranges

SECONDS = 20
KNOWN_SHARE = 0.5


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The original, each alteration of it, and three other films of the same kind."""
    folder = tmp_path_factory.mktemp("films")
    base = Film(seed=11, seconds=SECONDS, fps=12)
    out = {"original": write(base, folder / "original.mp4")}
    for how in ALTERATIONS:
        film, suffix = altered(base, how)
        out[how] = write(film, folder / f"{how}{suffix}")
    for seed in (12, 13, 14):
        out[f"other-{seed}"] = write(Film(seed=seed, seconds=SECONDS, fps=12), folder / f"other-{seed}.avi")
    return out


def test_a_video_gives_its_file_hashes_and_a_frame_hash_a_second(films: dict[str, Path]) -> None:
    hashed = hash_video(films["original"])
    data = films["original"].read_bytes()
    assert hashed.error is None
    assert (hashed.md5, hashed.sha256) == (hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest())  # noqa: S324
    assert hashed.duration == pytest.approx(SECONDS, abs=0.2)
    assert (hashed.width, hashed.height) == (320, 240)
    assert len(hashed.frames) == SECONDS
    times = [f.seconds for f in hashed.frames]
    assert all(0.9 <= b - a <= 1.1 for a, b in itertools.pairwise(times))
    assert all(len(f.pdq) == 64 and 0 <= f.quality <= 100 for f in hashed.frames)
    assert sum(f.good for f in hashed.frames) >= SECONDS // 2


@pytest.mark.parametrize("how", ALTERATIONS)
def test_an_altered_copy_matches_its_original(films: dict[str, Path], how: str) -> None:
    original, copy = hash_video(films["original"]), hash_video(films[how])
    assert copy.error is None, copy.error
    found = compare(copy.frames, original.frames, threshold=31)
    assert found.known(KNOWN_SHARE), found
    if how == "trimmed":
        # A clip cut out of the film: most of the clip is in the film, a minority of the film in the clip, and
        # the film's matched stretch lies where the clip was cut from.
        assert found.query_share > found.banked_share
        film, _ = altered(Film(seed=11, seconds=SECONDS, fps=12), how)
        start, end = found.banked_ranges[0][0], found.banked_ranges[-1][1]
        assert film.start - 2 <= start and end <= film.start + film.seconds + 2
    else:
        assert found.query_ranges[0][0] <= 2 and found.query_ranges[-1][1] >= SECONDS - 2


def test_other_films_of_the_same_kind_do_not_match(films: dict[str, Path]) -> None:
    original = hash_video(films["original"])
    for seed in (12, 13, 14):
        other = hash_video(films[f"other-{seed}"])
        assert other.error is None
        found = compare(other.frames, original.frames, threshold=31)
        assert not found.known(KNOWN_SHARE), found
        assert found.matched_frames <= 1


def test_a_compilation_holding_a_known_clip_matches_by_the_banked_share() -> None:
    clip = [Frame(i, float(i), f"{i:02x}" * 32, 100) for i in range(1, 11)]
    other = [Frame(i, float(i), f"{(i * 37 + 5) % 256:02x}" + "c3" * 31, 100) for i in range(40)]
    compilation = other[:15] + [Frame(15 + f.index, 15.0 + f.index, f.pdq, 100) for f in clip] + other[15:]
    found = compare(compilation, clip, threshold=0)
    assert found.banked_share == 1.0 and found.query_share == pytest.approx(10 / 50)
    assert found.known(KNOWN_SHARE)
    assert found.query_ranges == [(16.0, 26.0)]


def test_matched_frames_join_into_stretches() -> None:
    assert ranges([0, 1, 2, 3, 7, 8, 20]) == [(0, 4.0), (7, 9.0), (20, 21.0)]
    assert ranges([0, 2, 4]) == [(0, 5.0)]  # a frame missed between two matched ones does not split them
    assert ranges([]) == []


def test_poor_and_repeated_frames_do_not_count() -> None:
    still = [Frame(i, float(i), "ab" * 32, 100) for i in range(10)]
    poor = [Frame(i, float(i), f"{i:02x}" * 32, 20) for i in range(10)]
    found = compare(still + poor, [Frame(0, 0.0, "ab" * 32, 100)], threshold=0)
    assert found.query_share == 1.0 and found.matched_frames == 1  # one distinct good frame
    assert not found.known(KNOWN_SHARE)


@pytest.mark.parametrize(
    ("limit", "value", "reason"),
    [("MAX_SECONDS", 10, "longer than the 0:00:10 limit"),
     ("MAX_FRAME_PIXELS", 320 * 200, "larger than the 64,000-pixel limit"),
     ("MAX_FRAMES", 100, "over the 100-frame limit")],
)  # fmt: skip
def test_a_video_over_a_limit_is_refused(
    films: dict[str, Path], monkeypatch: pytest.MonkeyPatch, limit: str, value: int, reason: str
) -> None:
    monkeypatch.setattr(video, limit, value)
    hashed = hash_video(films["original"])
    assert hashed.error is not None and reason in hashed.error
    assert hashed.frames == [] and hashed.sha256 is not None  # the file's own hashes are still given


def test_decoding_stops_at_the_frame_limit_whatever_the_container_claims(
    films: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The AVI's header gives no frame count to check first, so the count is checked while decoding.
    monkeypatch.setattr(video, "MAX_FRAMES", 50)
    hashed = hash_video(films["other-12"])
    assert hashed.error is not None and "limit" in hashed.error


def test_broken_and_truncated_files_are_errors_with_a_reason(films: dict[str, Path], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    hashed = hash_video(garbage)
    assert hashed.error is not None and hashed.error.startswith(("not a video", "corrupt"))
    data = films["other-13"].read_bytes()  # an AVI: its index is at the end, its frames in order
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    hashed = hash_video(cut)
    assert hashed.error is not None, "a file cut in half passed as whole"
    assert hash_video(tmp_path / "missing.mp4").error == "cannot read: No such file or directory"


def test_a_video_is_known_by_its_name_or_its_first_bytes(films: dict[str, Path]) -> None:
    assert looks_like_video("clip.MOV") and looks_like_video("x.webm")
    assert not looks_like_video("photo.jpg", b"\xff\xd8\xff\xe0")
    for path in films.values():
        assert looks_like_video("upload.bin", path.read_bytes()[:512]), path.suffix
    assert not looks_like_video("photo.heic", b"\x00\x00\x00\x18ftypheic" + bytes(20))
