"""How the learned model does on conversations it has not seen: each spent held-back set in turn is left out
of training, and the analysis (indicators, then the model trained without that set) reads it. This is how
the model's threshold was chosen; a fresh held-back set measured once remains the test that counts.

    .venv/bin/python -m bench.chats_crossval --thresholds 0.6 0.65 0.7 0.8

The indicators were mended after each set was spent, so their share of these figures is flattered; the
model's is not, since it never trains on the set it reads. "model alone" flags a conversation whenever its
likeliest groomer reaches the threshold, with no check for a child.
"""

from __future__ import annotations

import argparse
import dataclasses
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
os.environ.setdefault("HAVEN_DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.65])
    args = parser.parse_args()
    import django

    django.setup()
    from haven.chats import model as learned_model
    from haven.chats.analysis import analyse
    from haven.chats.evaluate import score
    from haven.chats.normalise import normalise
    from haven.chats.readers import conversation_from_json

    print("| left out | threshold | indicators alone: recall | with the model: recall | precision | "
          "groomer named | model alone: recall | precision |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, rows in learned_model.spent_sets().items():
        trained = learned_model.train(learned_model.training_rows(leave_out=name))
        labels = {row["id"]: row["label"] for row in rows}
        conversations = [conversation_from_json({k: v for k, v in r.items() if k != "label"}) for r in rows]
        alone = score([analyse(c, learned=False) for c in conversations], labels)
        texts = [[learned_model.participant_text([normalise(m.text) for m in c.messages if m.sender == pid])
                  for pid in c.participant_ids()] for c in conversations]  # fmt: skip
        for threshold in args.thresholds:
            model = dataclasses.replace(trained, threshold=threshold)
            both = score([analyse(c, model=model) for c in conversations], labels)
            flagged = [max(model.probabilities(t), default=0.0) >= threshold for t in texts]
            hit = sum(f and labels[c.id]["grooming"] for f, c in zip(flagged, conversations, strict=True))
            grooming = sum(bool(label["grooming"]) for label in labels.values())
            print(f"| {name} | {threshold} | {alone.recall:.2f} | **{both.recall:.2f}** | "
                  f"{both.precision:.2f} | {both.groomer_accuracy:.2f} | {hit / grooming:.2f} | "
                  f"{hit / max(1, sum(flagged)):.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
