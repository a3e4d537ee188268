"""Evaluation of what PDQ misses, end to end through the commands a centre runs: benign originals are banked
with `haven bank add`, then `haven scan` reads a folder of their altered copies mixed with unrelated
distractors, and each row is marked.

    .venv/bin/python -m bench.robust_eval --folder /tmp/robust-eval --held-back

Still images: generated scenes (``haven.hashbank.stills``), each copied with every alteration in
``stills.ALTERATIONS`` (crops of up to 10% from each side, overlays over up to 15%, turns of up to 5 degrees,
and those with re-encoding and resizing). Distractors are other scenes, drawn from the same palettes, the
same kind of background and the same words, at 480 x 360. A copy counts as found only when the scan calls
it known and its match is its own original's record; a distractor called known is a false match.

Videos: generated films (``haven.hashbank.footage``), each banked with its own series, then re-encoded,
resized, re-timed, trimmed and watermarked (``footage.ALTERATIONS``); films of other seeds are the
distractors. A copy counts when it is known with its film's series.

``--held-back`` draws every picture and film from seeds never used while the stage was built and tuned
(the development seeds are below 100,000). The scan runs on a fresh SQLite database in the folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from haven.hashbank import footage, stills
from haven.hashbank.hashing import exact_hashes

HELD_BACK = {"originals": 7_000_000, "distractors": 8_000_000, "films": 9_000_000, "other_films": 9_500_000}
DEVELOPMENT = {"originals": 0, "distractors": 50_000, "films": 60_000, "other_films": 70_000}


def _still(job: tuple[str, int, str]) -> None:
    path, seed, how = job
    if how == "distractor":
        stills.scene(seed, 480, 360).save(path, quality=85)
    elif how == "original":
        stills.scene(seed).save(path)
    else:
        stills.altered(stills.scene(seed), how, seed).save(path, quality=85)


def _film(job: tuple[str, int, str]) -> None:
    path, seed, how = job
    film = footage.Film(seed=seed, seconds=12, fps=10)
    if how in {"original", "distractor"}:
        footage.write(film, Path(path))
    else:
        changed, _ = footage.altered(film, how)
        footage.write(changed, Path(path))


def make(folder: Path, seeds: dict[str, int], args: argparse.Namespace) -> None:
    """Write the originals, the copies and the distractors (once: an existing folder is reused)."""
    originals, query = folder / "originals", folder / "query"
    jobs: list[tuple[str, int, str]] = []
    films: list[tuple[str, int, str]] = []
    for n in range(args.originals):
        seed = seeds["originals"] + n
        jobs.append((str(originals / f"still-{seed}.png"), seed, "original"))
        for how in stills.ALTERATIONS:
            jobs.append((str(query / "stills" / how / f"{seed}.jpg"), seed, how))
    for n in range(args.distractors):
        seed = seeds["distractors"] + n
        jobs.append((str(query / "distractors" / f"{seed // 1000}" / f"{seed}.jpg"), seed, "distractor"))
    for n in range(args.films):
        seed = seeds["films"] + n
        films.append((str(originals / "films" / f"film-{seed}.mp4"), seed, "original"))
        for how in footage.ALTERATIONS:
            _, suffix = footage.altered(footage.Film(seed=seed, seconds=12, fps=10), how)
            films.append((str(query / "films" / how / f"{seed}{suffix}"), seed, how))
    for n in range(args.other_films):
        seed = seeds["other_films"] + n
        films.append((str(query / "other-films" / f"{seed}.mp4"), seed, "distractor"))
    todo = [j for j in jobs if not Path(j[0]).exists()]
    todo_films = [f for f in films if not Path(f[0]).exists()]
    for path in {Path(j[0]).parent for j in todo} | {Path(f[0]).parent for f in todo_films}:
        path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(_still, todo, chunksize=64))
        list(pool.map(_film, todo_films, chunksize=1))
    seconds = time.perf_counter() - started
    print(f"wrote {len(todo):,} pictures and {len(todo_films)} films in {seconds:.0f} s")


def haven(folder: Path, *args: str, allowed: tuple[int, ...] = (0,)) -> str:
    env = {**os.environ, "HAVEN_DATABASE_URL": f"sqlite:///{folder / 'eval.sqlite3'}", "HAVEN_DEBUG": "1"}
    command = [str(Path(sys.executable).parent / "haven"), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode not in allowed:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--held-back", action="store_true")
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--distractors", type=int, default=100_000)
    parser.add_argument("--films", type=int, default=20)
    parser.add_argument("--other-films", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report-only", action="store_true", help="mark the last run's scan.jsonl again")
    args = parser.parse_args()
    seeds = HELD_BACK if args.held_back else DEVELOPMENT
    folder = args.folder
    database, output = folder / "eval.sqlite3", folder / "scan.jsonl"
    originals = sorted((folder / "originals").glob("still-*.png"))
    seconds = 0.0
    if not args.report_only:
        make(folder, seeds, args)
        originals = sorted((folder / "originals").glob("still-*.png"))
        database.unlink(missing_ok=True)
        haven(folder, "migrate")
        haven(folder, "bank", "add", *map(str, originals), "--category", "B", "--series", "held-back-stills")
        for film in sorted((folder / "originals" / "films").glob("film-*.mp4")):
            haven(folder, "bank", "add", str(film), "--category", "B", "--series", film.stem)
        output.unlink(missing_ok=True)
        started = time.perf_counter()
        # A scan exits 1 when a file could not be read; such rows are counted below, not fatal.
        haven(folder, "scan", str(folder / "query"), "--output", str(output), "--workers", str(args.workers),
              allowed=(0, 1))  # fmt: skip
        seconds = time.perf_counter() - started
    with sqlite3.connect(database) as db:
        record_sha = dict(db.execute("SELECT id, sha256 FROM hashbank_bankrecord").fetchall())
    seed_of_sha = {exact_hashes(p.read_bytes())[2]: int(p.stem.split("-")[1]) for p in originals}
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    report(folder, rows, seconds, record_sha, seed_of_sha)


def report(
    folder: Path,
    rows: list[dict[str, Any]],
    seconds: float,
    record_sha: dict[int, str],
    seed_of_sha: dict[str, int],
) -> None:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    by_pdq: Counter[str] = Counter()
    false: list[str] = []
    for row in rows:
        path = Path(row["path"]).relative_to(folder / "query")
        group = path.parts[0]
        if row["status"] == "error" or group not in {"stills", "films", "distractors", "other-films"}:
            print(f"  not part of the evaluation, or unreadable: {path} ({row['status']})")
            continue
        if group in {"distractors", "other-films"}:
            total[group] += 1
            if row["status"] == "known":
                false.append(str(path))
            continue
        how = path.parts[1]
        key = f"{group}/{how}"
        total[key] += 1
        seed = int(Path(path.parts[2]).stem)
        if group == "stills":
            right = [m for m in row["matches"] if seed_of_sha.get(record_sha.get(m["record"], "")) == seed]
            by_pdq[key] += any(m["variant"] != "robust" for m in right)
        else:
            right = [m for m in row["matches"] if m["series"] == f"film-{seed}"]
        found[key] += bool(right) and row["status"] == "known"
    if seconds:
        print(f"scan of {len(rows):,} files took {seconds:.0f} s ({len(rows) / seconds:.0f} files a second)")
    print(f"{'copies':40} {'found':>7} {'of':>6} {'recall':>7} {'by PDQ alone':>13}")
    for key in sorted(total):
        if key in {"distractors", "other-films"}:
            continue
        pdq = f"{by_pdq[key] / total[key]:.2f}" if key.startswith("stills") else ""
        print(f"{key:40} {found[key]:>7} {total[key]:>6} {found[key] / total[key]:>7.2f} {pdq:>13}")
    for key in ("distractors", "other-films"):
        print(f"{key:40} known: {sum(1 for f in false if f.startswith(key))} of {total[key]:,}")
    for wrong in false[:20]:
        print(f"  false match: {wrong}")


if __name__ == "__main__":
    main()
