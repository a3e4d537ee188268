from __future__ import annotations

import json
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from haven.chats.analysis import analyse
from haven.chats.evaluate import score
from haven.chats.model import model
from haven.chats.readers import FORMATS, ReadError, read_path
from haven.chats.synthetic import labelled


class Command(BaseCommand):
    help = (
        "Grooming in chats: analyse FILE writes one JSON line a conversation; evaluate FILE.jsonl measures "
        "the analysis on conversations that carry a label; synthetic writes a labelled synthetic set; model "
        "shows what the learned model weighs most."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("analyse", help="read conversations and write each one's reading as a JSON line")
        run.add_argument("file", type=Path)
        run.add_argument("--format", choices=FORMATS, help="the file's format (guessed from its name)")
        run.add_argument("--output", type=Path, help="write here instead of standard output")
        run.add_argument("--victim-age", type=int, help="the child's age, when the report gives it")
        run.add_argument(
            "--no-model", action="store_true", help="the indicators alone, without the learned model"
        )
        check = sub.add_parser(
            "evaluate", help="precision, recall and the rest, on JSON lines with labels or PAN-2012 XML"
        )
        check.add_argument("file", type=Path)
        check.add_argument("--format", choices=FORMATS, default="jsonl")
        check.add_argument(
            "--predators", type=Path, help="PAN-2012's list of predator ids, one a line: the labels"
        )
        check.add_argument(
            "--no-model", action="store_true", help="the indicators alone, without the learned model"
        )
        strongest = sub.add_parser("model", help="the words and fragments the learned model weighs most")
        strongest.add_argument("--top", type=int, default=30)
        make = sub.add_parser("synthetic", help="write a labelled synthetic set as JSON lines")
        make.add_argument("--count", type=int, default=500)
        make.add_argument("--seed", type=int, default=20261201)
        make.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "model":
            for feature, weight in model().strongest(max(1, options["top"])):
                self.stdout.write(f"{weight:+.3f}\t{feature!r}")
            return
        if options["subcommand"] == "synthetic":
            rows = labelled(options["count"], seed=options["seed"])
            self._write(options["output"], (json.dumps(r) + "\n" for r in rows))
            self.stdout.write(f"{options['output']}: {len(rows)} conversations")
            return
        path: Path = options["file"]
        try:
            read, _ = read_path(path, options["format"])
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except ReadError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if options["subcommand"] == "evaluate":
            predators = options["predators"]
            labels = (
                _predator_labels(predators, read.conversations) if predators else _labels(path, read.errors)
            )
            self._evaluate(path, read.conversations, labels, read.errors, learned=not options["no_model"])
            return
        learned = not options["no_model"]
        results = (analyse(c, victim_age=options["victim_age"], learned=learned) for c in read.conversations)
        self._write(options["output"], (json.dumps(r, ensure_ascii=False) + "\n" for r in results))
        for error in read.errors:
            self.stderr.write(f"{path}: {error}")
        if read.errors:
            count = len(read.errors)
            raise CommandError(f"{path}: {count} line(s) not read; the other conversations were analysed")

    def _evaluate(
        self,
        path: Path,
        conversations: list[Any],
        labels: dict[str, Any],
        errors: list[str],
        *,
        learned: bool,
    ) -> None:
        results = [analyse(c, learned=learned) for c in conversations if c.id in labels]
        scores = score(results, labels)
        self.stdout.write(json.dumps(scores.as_json()))
        for miss in scores.misses[:20]:
            self.stderr.write(f"{path}: {miss}")
        for error in errors:
            self.stderr.write(f"{path}: {error}")
        if errors:
            raise CommandError(f"{path}: {len(errors)} line(s) not evaluated")

    def _write(self, output: Path | None, lines: Any) -> None:
        stream: IO[str]
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                for line in lines:
                    stream.write(line)
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror or exc}") from None


def _labels(path: Path, errors: list[str]) -> dict[str, Any]:
    """Each conversation's ``label`` in a JSON lines file; a line without one is an error."""
    labels: dict[str, Any] = {}
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip() or any(e.startswith(f"line {number}:") for e in errors):
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # the reader named it
            if isinstance(data, dict) and isinstance(data.get("label"), dict):
                labels[str(data.get("id"))] = data["label"]
            else:
                errors.append(f"line {number}: no label")
    return labels


def _predator_labels(path: Path, conversations: list[Any]) -> dict[str, Any]:
    """PAN-2012's ground truth: a conversation with one of the listed authors in it is grooming, by them."""
    try:
        predators = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    labels: dict[str, Any] = {}
    for conversation in conversations:
        found = next((pid for pid in conversation.participant_ids() if pid in predators), None)
        labels[conversation.id] = {"grooming": found is not None, "groomer": found, "urgent": []}
    return labels
