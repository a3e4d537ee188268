"""The grooming analysis's speed on one core: messages a second through ``haven.chats.analysis.analyse``,
against a naive reader in the same run that normalises without its token cache and tries every pattern on
every message (no per-stage pre-check), which is what a first version of the same rules would do.

    .venv/bin/python -m bench.chats --conversations 3000

The conversations are the synthetic labelled set (``haven.chats.synthetic``): grooming, sextortion and
hard negatives, about nine messages each; the set is repeated to make long logs too.
"""

from __future__ import annotations

import argparse
import os
import re
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_DEBUG", "1")


def naive(messages: list[str]) -> int:
    """Every message through an uncached normaliser and every pattern; returns the hits."""
    from haven.chats import normalise as norm
    from haven.chats.indicators import PATTERNS

    patterns = [re.compile(p) for rows in PATTERNS.values() for _, p in rows]
    found = 0
    for raw in messages:
        text = norm._SPACED.sub(norm._unspace, raw.lower())
        text = norm._REPEAT.sub(r"\1", text)
        words = []
        for token in norm._WORD.findall(text):
            word = norm.SPEAK.get(token, token)
            if norm._HAS_LETTER.search(word):
                word = word.translate(norm.LEET)
            words.append(word)
        text = " ".join(words)
        found += sum(1 for p in patterns if p.search(text))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=3000)
    parser.add_argument("--long", type=int, default=5000, help="messages in the one long log also timed")
    args = parser.parse_args()
    import django

    django.setup()
    from haven.chats.analysis import analyse
    from haven.chats.model import model
    from haven.chats.readers import Conversation, conversation_from_json
    from haven.chats.synthetic import labelled

    conversations = [conversation_from_json(d) for d in labelled(args.conversations, seed=7)]
    messages = [m for c in conversations for m in c.messages]
    long_log = Conversation("long", "examplechat", [], [])
    while len(long_log.messages) < args.long:
        long_log.messages.extend(messages[: args.long - len(long_log.messages)])

    model()  # trained once a process (about a second), before the clock starts
    start = time.perf_counter()
    results = [analyse(c) for c in conversations]
    took = time.perf_counter() - start
    start = time.perf_counter()
    for c in conversations:
        analyse(c, learned=False)
    took_indicators = time.perf_counter() - start
    start = time.perf_counter()
    analyse(long_log)
    took_long = time.perf_counter() - start
    texts = [m.text for m in messages]
    start = time.perf_counter()
    naive(texts)
    took_naive = time.perf_counter() - start
    from haven.chats.indicators import hits
    from haven.chats.normalise import normalise

    start = time.perf_counter()
    for text in texts:
        hits(normalise(text))
    took_hits = time.perf_counter() - start

    flagged = sum(r["grooming"] for r in results)
    print(f"{len(conversations):,} conversations, {len(messages):,} messages ({flagged:,} flagged); one core")
    print("| reader | messages/s | time |")
    print("| --- | ---: | ---: |")
    n, n_long = len(messages), len(long_log.messages)
    print(f"| `analyse`, a conversation at a time | **{n / took:,.0f}** | {took:.2f} s |")
    print(f"| `analyse` without the learned model | {n / took_indicators:,.0f} | {took_indicators:.2f} s |")
    print(f"| `analyse`, one log of {n_long:,} messages | {n_long / took_long:,.0f} | {took_long:.2f} s |")
    print(f"| indicators only: `normalise` and `hits` | {n / took_hits:,.0f} | {took_hits:.2f} s |")
    print(
        f"| baseline, indicators only: uncached normaliser, every pattern on every message | "
        f"{n / took_naive:,.0f} | {took_naive:.2f} s |"
    )


if __name__ == "__main__":
    main()
