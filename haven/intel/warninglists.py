"""Values that must never link, whoever holds them (MISP's warninglists and exclusion lists).

Patterns take ``*`` (any run of characters) and ``?`` (one character), and match case-insensitively.

Built in: carrier-grade NAT, private and reserved address ranges, and shared or no-reply mailboxes. Admins
add their own ``Exclusion`` rows, with ``*`` and ``?`` wildcards (and CIDR ranges for ip). The documentation
ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are left off on purpose: real traffic
never carries them, and Haven's synthetic data must use them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from haven.intel.models import Exclusion

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

BUILT_IN_NETWORKS: tuple[tuple[str, str], ...] = (
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("10.0.0.0/8", "private range"),
    ("172.16.0.0/12", "private range"),
    ("192.168.0.0/16", "private range"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("0.0.0.0/8", "reserved range"),
    ("192.0.0.0/24", "reserved range"),
    ("198.18.0.0/15", "benchmarking range"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved range"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fc00::/7", "private range"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)

# Mailboxes that many unrelated messages come from, so a pasted copy says nothing about who sent it.
BUILT_IN_EMAILS: tuple[str, ...] = (
    "noreply@*",
    "no-reply@*",
    "no_reply@*",
    "donotreply@*",
    "do-not-reply@*",
    "do_not_reply@*",
    "noreply-*@*",
    "no-reply-*@*",
    "mailer-daemon@*",
    "postmaster@*",
    "abuse@*",
)


@dataclass
class Warninglist:
    networks: list[tuple[IpNetwork, str]] = field(default_factory=list)
    patterns: dict[str, list[tuple[re.Pattern[str], str]]] = field(default_factory=dict)
    likes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # the same patterns, for SQL LIKE

    def add(self, kind: str, pattern: str, reason: str) -> None:
        if kind == "ip" and "*" not in pattern and "?" not in pattern:
            try:
                self.networks.append((ipaddress.ip_network(pattern, strict=False), reason))
                return
            except ValueError:
                pass
        wildcard = pattern.strip().casefold()
        regex = re.compile(re.escape(wildcard).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z", re.DOTALL)
        self.patterns.setdefault(kind, []).append((regex, reason))
        self.likes.setdefault(kind, []).append((_like(wildcard), reason))

    def kinds(self) -> set[str]:
        return set(self.patterns) | ({"ip"} if self.networks else set())

    def match(self, kind: str, canonical: str) -> str:
        """The reason the value is listed, or "" when it is not."""
        if kind == "ip" and self.networks:
            try:
                address = ipaddress.ip_address(canonical)
            except ValueError:
                address = None
            if address is not None:
                for network, reason in self.networks:
                    if address.version == network.version and address in network:
                        return reason
        folded = canonical.casefold()
        for regex, reason in self.patterns.get(kind, ()):
            if regex.match(folded):
                return reason
        return ""


def _like(wildcard: str) -> str:
    """A ``*``/``?`` wildcard as a LIKE pattern with ``!`` as its escape character."""
    escaped = wildcard.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return escaped.replace("*", "%").replace("?", "_")


def reason_sql(listed: Warninglist, kind: str, *, inet: bool) -> tuple[str, list[str]]:
    """A SQL expression giving the reason a value of ``kind`` is listed, or '' (the rules of ``match``).
    With ``inet`` (PostgreSQL), ip ranges are tested by the database too."""
    cases: list[str] = []
    params: list[str] = []
    if kind == "ip" and inet:
        for network, reason in listed.networks:
            cases.append("WHEN canonical::inet <<= %s::inet THEN %s")
            params += [str(network), reason]
    for like, reason in listed.likes.get(kind, []):
        cases.append("WHEN LOWER(canonical) LIKE %s ESCAPE '!' THEN %s")
        params += [like, reason]
    if not cases:
        return "''", []
    return f"(CASE {' '.join(cases)} ELSE '' END)", params


def built_in() -> Warninglist:
    listed = Warninglist()
    for network, reason in BUILT_IN_NETWORKS:
        listed.add("ip", network, reason)
    for pattern in BUILT_IN_EMAILS:
        listed.add("email", pattern, "shared or no-reply mailbox")
    return listed


# A version of the exclusion list, for a caller to read in a query it makes anyway. Rows are only added or
# deleted, and ids never come back, so the count and the highest id change whenever the rows do.
EXCLUSIONS_VERSION = "SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) FROM intel_exclusion"

_compiled: dict[tuple[tuple[str, str, str], ...], Warninglist] = {}
_by_version: dict[str, Warninglist] = {}


def current(version: str | None = None) -> Warninglist:
    """The built-in lists and the admins' exclusions, read now (the table is small; the compiled list is
    kept for as long as the rows are the same). Given the ``EXCLUSIONS_VERSION`` its caller read, the list
    compiled at that version is used without reading the table again."""
    if version is not None and version in _by_version:
        return _by_version[version]
    read = list(Exclusion.objects.order_by("id").values_list("id", "kind", "pattern", "reason"))
    rows = tuple((kind, pattern, reason) for _, kind, pattern, reason in read)
    listed = _compiled.get(rows)
    if listed is None:
        listed = built_in()
        for kind, pattern, reason in rows:
            listed.add(kind, pattern, f"excluded: {reason}"[:200])
        _compiled.clear()
        _compiled[rows] = listed
    # Kept under the version of the rows read, which is newer than ``version`` if they changed meanwhile.
    _by_version.clear()
    _by_version[f"{len(read)}:{read[-1][0] if read else 0}"] = listed
    return listed
