"""Canonical forms of identifiers, so that the same account reported twice links. The raw value is always
kept beside the canonical one, and a value that cannot be read is flagged invalid, never raised: a report
must not fail because someone typed an address badly.

Rules (issue 5):
- email: lowercased; a provider's own rules apply only to that provider's domains (``PROVIDER_RULES``):
  Gmail ignores dots and ``+tags`` in the local part, and googlemail.com is gmail.com.
- phone: E.164, read in the identifier's region, else the reporter's country, else GB.
- username and account_id: the pair (platform, value), the username case-folded.
- ip: the canonical IPv4 or IPv6 address (its port and time stay on the identifier).
- url: lowercase scheme and host, no default port, no fragment, no known tracking parameters.
- device_id and payment_id: trimmed.

Before any of these, every value is put in Unicode's NFKC form (so a username typed in full-width letters is
the same as in plain ones) and loses its invisible characters (zero-width spaces and joiners, soft hyphens,
direction marks, variation selectors, tag characters, fillers), which people paste, and which are used to
dodge exact matches. Domain names, of an address or a URL, are compared in their IDNA (punycode) form:
``münchen.example`` and ``xn--mnchen-3ya.example`` are one domain.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import phonenumbers

DEFAULT_REGION = "GB"


@dataclass(frozen=True)
class Normalised:
    kind: str
    raw: str
    canonical: str  # empty when the value is invalid
    platform: str = ""
    reason: str = ""  # why the value is invalid

    @property
    def valid(self) -> bool:
        return bool(self.canonical)


def _gmail(local: str) -> tuple[str, str]:
    return local.split("+", 1)[0].replace(".", ""), "gmail.com"


# Per-provider rules for the local part of an address. Only these domains get them: at most providers a
# dot or a plus sign is part of the address.
PROVIDER_RULES: dict[str, Callable[[str], tuple[str, str]]] = {"gmail.com": _gmail, "googlemail.com": _gmail}

TRACKING_PARAMETERS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga"}
DEFAULT_PORTS = {"http": 80, "https": 443}


# Characters that show nothing: Unicode's format characters (category Cf: zero-width space, joiners, soft
# hyphen, direction marks, byte-order mark, tags), variation selectors, the Mongolian vowel separator, and
# the Hangul fillers, which render as blank.
_INVISIBLE_EXTRA = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u180e\u115f\u1160\u3164\uffa0]")


def visible(value: str) -> str:
    """``value`` in NFKC form, without the characters that show nothing."""
    if value.isascii():  # nearly every value: NFKC leaves ASCII alone, and ASCII has no invisible characters
        return value
    value = unicodedata.normalize("NFKC", value)
    value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    return _INVISIBLE_EXTRA.sub("", value)


def domain_name(host: str) -> str:
    """A domain in its IDNA (ASCII) form, lowercased; as given, lowercased, if it has none."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _invalid(kind: str, raw: str, reason: str, platform: str = "") -> Normalised:
    return Normalised(kind, raw, "", platform, reason)


def email(raw: str) -> Normalised:
    value = visible(raw).strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or " " in value:
        return _invalid("email", raw, "not an email address")
    domain = domain_name(domain)
    rule = PROVIDER_RULES.get(domain)
    if rule is not None:
        local, domain = rule(local)
        if not local:
            return _invalid("email", raw, "nothing before the @ once the provider's rules apply")
    return Normalised("email", raw, f"{local}@{domain}")


def phone(raw: str, region: str = "", fallback_region: str = "") -> Normalised:
    where = (region or fallback_region or DEFAULT_REGION).upper()
    try:
        number = phonenumbers.parse(visible(raw), where)
    except phonenumbers.NumberParseException as exc:
        return _invalid("phone", raw, f"not a phone number ({exc})")
    # "Possible", not "valid": Ofcom's drama numbers (07700 900xxx), which test data must use, are possible
    # but never allocated, and a real number from a new range may not be in the library yet.
    if not phonenumbers.is_possible_number(number):
        return _invalid("phone", raw, f"not a possible number in {where}")
    return Normalised("phone", raw, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _on_platform(kind: str, raw: str, platform: str, fold: bool) -> Normalised:
    where = visible(platform).strip().casefold()
    value = visible(raw).strip()
    if kind == "username":
        value = value.removeprefix("@")
    if not where or not value:
        return _invalid(kind, raw, "needs both a platform and a value", where)
    return Normalised(kind, raw, value.casefold() if fold else value, where)


def ip(raw: str) -> Normalised:
    try:
        return Normalised("ip", raw, ipaddress.ip_address(visible(raw).strip()).compressed)
    except ValueError:
        return _invalid("ip", raw, "not an IPv4 or IPv6 address")


def url(raw: str) -> Normalised:
    try:
        parts = urlsplit(visible(raw).strip())
        port = parts.port
    except ValueError:
        return _invalid("url", raw, "not a URL")
    scheme, host = parts.scheme.lower(), domain_name(parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host:
        return _invalid("url", raw, "not an http or https URL")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMETERS
    ]
    return Normalised("url", raw, urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), "")))


def trimmed(kind: str, raw: str) -> Normalised:
    value = visible(raw).strip()
    return Normalised(kind, raw, value) if value else _invalid(kind, raw, "empty")


def normalise(
    kind: str, raw: str, *, platform: str = "", region: str = "", fallback_region: str = ""
) -> Normalised:
    """The canonical form of one identifier; an unknown kind or an unreadable value comes back invalid."""
    if kind == "email":
        return email(raw)
    if kind == "phone":
        return phone(raw, region, fallback_region)
    if kind in {"username", "account_id"}:
        return _on_platform(kind, raw, platform, fold=kind == "username")
    if kind == "ip":
        return ip(raw)
    if kind == "url":
        return url(raw)
    if kind in {"device_id", "payment_id"}:
        return trimmed(kind, raw)
    return _invalid(kind, raw, f"unknown kind {kind!r}")
