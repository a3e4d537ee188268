"""Identifier normalisation: each rule with inputs that would break a wrong implementation."""

from __future__ import annotations

import pytest

from haven.intel.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Some.One+tag@GMAIL.com", "someone@gmail.com"),
        ("s.o.m.e.one@googlemail.com", "someone@gmail.com"),
        # Dots and plus signs are part of the address at other providers: only case changes.
        ("Some.One@Example.com", "some.one@example.com"),
        ("some.one+tag@example.org", "some.one+tag@example.org"),
        ("  Name@Example.COM ", "name@example.com"),
    ],
)
def test_email(raw: str, canonical: str) -> None:
    result = normalise("email", raw)
    assert (result.canonical, result.raw, result.valid) == (canonical, raw, True)


@pytest.mark.parametrize(
    "raw", ["not-an-address", "a@b", "@example.com", "+tag@gmail.com", "a b@example.com"]
)
def test_bad_emails_are_kept_raw_and_flagged(raw: str) -> None:
    result = normalise("email", raw)
    assert (result.valid, result.canonical, result.raw) == (False, "", raw)
    assert result.reason


def test_phone_regions() -> None:
    assert normalise("phone", "07700 900123").canonical == "+447700900123"  # GB by default
    assert normalise("phone", "+44 7700 900123", region="US").canonical == "+447700900123"
    # The identifier's region first, then the reporter's country.
    assert normalise("phone", "(202) 555-0143", region="US", fallback_region="GB").canonical == "+12025550143"
    assert normalise("phone", "(202) 555-0143", fallback_region="US").canonical == "+12025550143"
    assert normalise("phone", "(202) 555-0143").canonical == "+442025550143"  # read as a London number
    assert not normalise("phone", "123").valid
    assert not normalise("phone", "call me maybe").valid


def test_usernames_fold_case_and_keep_their_platform() -> None:
    a = normalise("username", "@Name_On_Platform", platform="ExampleChat")
    b = normalise("username", "name_on_platform", platform="examplechat")
    assert (a.canonical, a.platform) == (b.canonical, b.platform) == ("name_on_platform", "examplechat")
    other = normalise("username", "name_on_platform", platform="othergame")
    assert (other.canonical, other.platform) != (a.canonical, a.platform)
    assert not normalise("username", "name", platform="").valid


def test_account_ids_keep_their_case() -> None:
    result = normalise("account_id", " AbC123 ", platform="ExampleChat")
    assert (result.canonical, result.platform) == ("AbC123", "examplechat")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("192.0.2.10", "192.0.2.10"), (" 192.0.2.10 ", "192.0.2.10"), ("2001:DB8:0:0::0001", "2001:db8::1")],
)
def test_ip(raw: str, canonical: str) -> None:
    assert normalise("ip", raw).canonical == canonical


@pytest.mark.parametrize("raw", ["192.0.2.256", "192.0.2", "example.com", ""])
def test_bad_ips_are_flagged(raw: str) -> None:
    assert not normalise("ip", raw).valid


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://Example.COM:443/p/1?utm_source=x&id=2#top", "https://example.com/p/1?id=2"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/a?fbclid=1&gclid=2&b=3", "https://example.com:8443/a?b=3"),
        ("https://example.com/Case/Path?Q=1", "https://example.com/Case/Path?Q=1"),  # paths keep their case
    ],
)
def test_url(raw: str, canonical: str) -> None:
    assert normalise("url", raw).canonical == canonical


@pytest.mark.parametrize(
    "raw", ["ftp://example.com/x", "not a url", "https://", "https://example.com:99999/"]
)
def test_bad_urls_are_flagged(raw: str) -> None:
    assert not normalise("url", raw).valid


def test_device_and_payment_ids_are_trimmed_and_unknown_kinds_refused() -> None:
    assert normalise("device_id", "  dev-1 ").canonical == "dev-1"
    assert normalise("payment_id", "pay-1").canonical == "pay-1"
    assert not normalise("payment_id", "   ").valid
    fax = normalise("fax", "123")
    assert (fax.valid, fax.reason) == (False, "unknown kind 'fax'")


ZWSP, SOFT_HYPHEN, RLM, FULL_WIDTH = "\u200b", "\u00ad", "\u200f", "\uff42\uff41\uff44\uff47\uff55\uff59"


@pytest.mark.parametrize(
    ("kind", "variants", "platform"),
    [
        ("username", ["badguy", f"bad{ZWSP}guy", FULL_WIDTH, f"{RLM}BadGuy", "bad\u2060guy\ufe0f"],
         "examplechat"),
        ("email", ["a.person@m\u00fcnchen.example", "A.Person@xn--mnchen-3ya.example",
                   f"a.per{SOFT_HYPHEN}son@M\u00dcNCHEN.example"], ""),
        ("url", ["https://m\u00fcnchen.example/p/1", "HTTPS://xn--mnchen-3ya.example/p/1",
                 f"https://m\u00fc{ZWSP}nchen.example/p/1"], ""),
        ("phone", ["07700 900123",
                   "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13"], ""),
        ("device_id", ["device-0001", f"device-0001{ZWSP}", "\uff44evice-0001"], ""),
    ],
)  # fmt: skip
def test_identifiers_that_look_the_same_are_one_value(kind: str, variants: list[str], platform: str) -> None:
    results = [normalise(kind, v, platform=platform) for v in variants]
    assert len({r.canonical for r in results}) == 1, [r.canonical for r in results]
    assert all(r.valid for r in results)
    assert [r.raw for r in results] == variants  # what was reported stays as reported
