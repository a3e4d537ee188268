from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.hashbank.hashing import hash_file
from haven.hashbank.results import row, video_row
from haven.hashbank.video import hash_video, head_of, looks_like_video


class Command(BaseCommand):
    help = (
        "Hash files: md5, sha1, sha256, and PDQ with its quality for an image or a PDQ hash a second (vPDQ) "
        "for a video; one JSON line per file. Matches nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--exact",
            action="store_true",
            help="decode every pixel and reproduce the PDQ reference bit for bit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for path in options["files"]:
            if path.is_dir():
                hashes = hash_file(path)
                hashes.error = "is a directory (use `haven scan` for folders)"
            elif looks_like_video(path.name, head_of(path)):
                hashed = hash_video(path)
                if hashed.error:
                    failed.append(f"{path}: {hashed.error}")
                self.stdout.write(json.dumps(video_row(hashed)))
                continue
            else:
                hashes = hash_file(path, exact=options["exact"])
            if hashes.error:
                failed.append(f"{path}: {hashes.error}")
            self.stdout.write(json.dumps(row(hashes, None)))
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be hashed:\n" + "\n".join(failed))
