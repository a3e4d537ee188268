"""Synthetic reports with a known answer, for measuring linking: who is really who.

Invented people report under invented identifiers, from reserved ranges (example.com, 07700 900xxx,
192.0.2.0/24); Gmail addresses have random local parts, because Gmail's rules are what is being tested. Each
person's reports spell their identifiers differently, as reporters do, and the set carries the traps that a
careless linker falls into:
- Gmail dots, ``+tags``, googlemail.com and capitals: must link;
- one phone number written in several formats: must link;
- a handle's case and a leading ``@``: must link;
- the same handle on two platforms, held by two people: must not link;
- ``first.last@`` and ``firstlast@`` at a provider that is not Gmail, held by two people: must not link;
- a no-reply address pasted into many unrelated reports: must not link;
- shared carrier-grade NAT addresses: must not link.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLATFORMS = ["examplechat", "examplegram", "exampletube"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"]
NO_REPLY = "no-reply@notifications.example.com"


@dataclass
class Person:
    number: int
    emails: list[str] = field(default_factory=list)
    phone: str = ""
    handles: list[tuple[str, str]] = field(default_factory=list)  # (platform, handle)
    account: tuple[str, str] | None = None
    device: str = ""


@dataclass
class Dataset:
    reports: list[dict[str, Any]]
    truth: dict[str, int]  # external_id -> person number


def _gmail_variant(rng: random.Random, local: str) -> str:
    letters = list(local)
    for _ in range(rng.randint(0, 2)):
        letters.insert(rng.randint(1, len(letters) - 1), ".")
    spelled = "".join(letters).replace("..", ".")
    if rng.random() < 0.4:
        spelled += "+" + rng.choice(["pics", "x", "2026", "alt"])
    domain = rng.choice(["gmail.com", "gmail.com", "googlemail.com"])
    address = f"{spelled}@{domain}"
    return address.upper() if rng.random() < 0.2 else address


def _email_variant(rng: random.Random, address: str) -> str:
    local, domain = address.split("@")
    if domain == "gmail.com":
        return _gmail_variant(rng, local)
    return address.upper() if rng.random() < 0.3 else address.capitalize() if rng.random() < 0.3 else address


def _phone_variant(rng: random.Random, last: str) -> dict[str, Any]:
    spelling = rng.choice(
        [
            f"07700 900{last}",
            f"+44 7700 900{last}",
            f"+447700900{last}",
            f"(07700) 900-{last}",
            f"0044 7700 900 {last}",
            f"07700900{last}",
        ]
    )
    return {"kind": "phone", "value": spelling, **({"region": "GB"} if rng.random() < 0.5 else {})}


def _handle_variant(rng: random.Random, handle: str) -> str:
    spelled = handle.upper() if rng.random() < 0.2 else handle.capitalize() if rng.random() < 0.2 else handle
    return "@" + spelled if rng.random() < 0.2 else spelled


def _people(rng: random.Random, count: int) -> list[Person]:
    people = [Person(n) for n in range(count)]
    phones = rng.sample(range(1000), min(count, 1000))
    for p in people:
        if rng.random() < 0.35:
            p.emails.append(f"person{p.number:05d}.{rng.choice(['red', 'blue', 'green'])}@gmail.com")
        if rng.random() < 0.6 or not p.emails:
            p.emails.append(f"user{p.number:05d}@{rng.choice(DOMAINS)}")
        if p.number < len(phones) and rng.random() < 0.6:
            p.phone = f"{phones[p.number]:03d}"
        p.handles.append((rng.choice(PLATFORMS), f"handle{p.number:05d}"))
        if rng.random() < 0.4:
            p.account = (rng.choice(PLATFORMS), str(100000 + p.number))
        if rng.random() < 0.2:
            p.device = f"device-{p.number:05d}"
    # Traps between pairs of different people.
    for a, b in zip(people[0::20], people[1::20], strict=False):
        platform_a, handle = a.handles[0]
        b.handles[0] = (next(p for p in PLATFORMS if p != platform_a), handle)  # same handle, another site
    for a, b in zip(people[2::20], people[3::20], strict=False):
        a.emails.append(f"first{a.number}.last@example.org")
        b.emails.append(f"first{a.number}last@example.org")  # a dot is part of the address here
    return people


def _identifiers(rng: random.Random, p: Person) -> list[dict[str, Any]]:
    choices: list[dict[str, Any]] = [{"kind": "email", "value": _email_variant(rng, e)} for e in p.emails]
    if p.phone:
        choices.append(_phone_variant(rng, p.phone))
    choices += [{"kind": "username", "platform": pl, "value": _handle_variant(rng, h)} for pl, h in p.handles]
    if p.account:
        choices.append({"kind": "account_id", "platform": p.account[0], "value": p.account[1]})
    if p.device:
        choices.append({"kind": "device_id", "value": f"  {p.device} "})
    # The first choice (a person's main address, else their number or handle) is in every report, spelled
    # differently each time, so the true answer is reachable by normalising; the rest come and go.
    main = choices[0] if p.emails[0].endswith("@gmail.com") or not p.phone else choices[len(p.emails)]
    others = [c for c in choices if c is not main]
    picked = [main, *rng.sample(others, rng.randint(0, min(2, len(others))))]
    if rng.random() < 0.15:
        picked.append({"kind": "email", "value": NO_REPLY})
    if rng.random() < 0.3:
        picked.append({"kind": "ip", "value": f"100.64.{rng.randint(0, 1)}.{rng.randint(1, 3)}"})  # CGNAT
    if rng.random() < 0.2:
        picked.append(
            {"kind": "ip", "value": f"192.0.2.{rng.randint(1, 254)}", "port": rng.randint(1024, 65535)}
        )
    return picked


def dataset(people: int = 300, seed: int = 2026, reports_each: float = 3.0) -> Dataset:
    """Reports by ``people`` invented people, about ``reports_each`` a person (some prolific, most not)."""
    rng = random.Random(seed)  # noqa: S311  (synthetic test data, not security)
    reports: list[dict[str, Any]] = []
    truth: dict[str, int] = {}
    for p in _people(rng, people):
        for _ in range(max(1, min(40, int(rng.expovariate(1 / reports_each)) + 1))):
            external_id = f"SYN-{seed}-{len(reports):06d}"
            truth[external_id] = p.number
            reports.append(
                {
                    "external_id": external_id,
                    "incident": {
                        "type": rng.choice(["online_enticement", "sextortion", "csam_distribution"]),
                        "summary": "Synthetic report for measuring linking.",
                    },
                    "reported_persons": [{"identifiers": _identifiers(rng, p)}],
                }
            )
    rng.shuffle(reports)
    return Dataset(reports, truth)


def pairwise(truth: dict[str, int], predicted: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of ``predicted`` (external_id -> subject) against ``truth``."""

    def pairs(counts: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    ids = [i for i in truth if i in predicted]
    true_pairs = pairs(Counter(truth[i] for i in ids))
    found_pairs = pairs(Counter(predicted[i] for i in ids))
    both = pairs(Counter((truth[i], predicted[i]) for i in ids))
    precision = both / found_pairs if found_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return precision, recall


def careless(reports: list[dict[str, Any]], key: Callable[[dict[str, Any]], str | None]) -> dict[str, str]:
    """A baseline linker: reports sharing any ``key`` of their identifiers are one (``key`` gives None to
    skip an identifier). Returns external_id -> group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for report in reports:
        for ident in report["reported_persons"][0]["identifiers"]:
            k = key(ident)
            if k is not None:
                parent[find("v:" + k)] = find(report["external_id"])
    return {r["external_id"]: find(r["external_id"]) for r in reports}


def as_written(ident: dict[str, Any]) -> str:
    """Every value as written, lowercased, weak ones too."""
    return f"{ident['kind']}:{ident.get('platform')}:{ident['value'].lower()}"


def exact_strong(ident: dict[str, Any]) -> str | None:
    """Strong and medium values exactly as written, without normalisation or warninglists (bar no-reply)."""
    if ident["kind"] in {"ip", "url"} or "reply" in ident["value"]:
        return None
    return f"{ident['kind']}:{ident.get('platform')}:{ident['value']}"
