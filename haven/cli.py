"""The `haven` command: a thin wrapper over Django management commands with a curated help text."""

from __future__ import annotations

import os
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    # name shown: (management command, one-line help)
    "migrate": ("migrate", "create or upgrade the database schema"),
    "serve": ("serve", "serve the web app and API on 127.0.0.1 (--port N)"),
    "worker": ("worker", "run background jobs from the database queue (--burst drains it and exits)"),
    "createuser": ("createuser", "create a person's account: USERNAME --role ROLE [--organisation ORG]"),
    "resetuser": (
        "resetuser",
        "a new one-time password for USERNAME, and their authenticator removed, so they set up a new one",
    ),
    "org": ("org", "create or list organisations: centre, police forces, industry partners, hotlines"),
    "triage": ("triage", "triage rescore: score every processed report and subject again (after an upgrade)"),
    "route": (
        "route",
        "the police force for a UK postcode: route POSTCODE (the candidates on a boundary); "
        "--agency: the children's services for a child there",
    ),
    "forces": ("forces", "the national register of police forces: forces load [--file F] | forces list"),
    "agencies": (
        "agencies",
        "the register of children's services: agencies load [--file F] | agencies list",
    ),
    "chats": (
        "chats",
        "grooming in chats: chats analyse FILE [--format F] [--output F] | chats evaluate FILE | synthetic",
    ),
    "referrals": (
        "referrals",
        "referrals list | referrals package REF-… or SGR-… --output FILE.pdf (audited)",
    ),
    "apikey": ("apikey", "create, list or revoke partner API keys"),
    "audit": ("audit", "audit trail tools: `haven audit verify` checks the hash chain"),
    "hash": ("hash", "hash files: md5, sha1, sha256 and PDQ as JSON lines (no matching)"),
    "bank": (
        "bank",
        "bank records: bank add PATH... --category C [--series S] (images and videos) | "
        "bank import FILE --format vics|csv | bank export --format ...",
    ),
    "scan": (
        "scan",
        "triage a folder of seized media against the bank: scan DIR [--output FILE] [--resume] "
        "[--queue-novel [--upload-files]]",
    ),
    "insights": (
        "insights",
        "dashboards' figures: insights report --month YYYY-MM --output FILE.pdf | insights trends | "
        "insights refresh [--all]",
    ),
    "grading": (
        "grading",
        "the grading queue: grading cluster (group near-duplicates now) | grading metrics",
    ),
    "reports": (
        "reports",
        "import or export reports: reports import FILE.jsonl [--organisation ORG] | reports export",
    ),
    "link": ("link", "link --rebuild: work out every subject again, keeping analysts' merges and splits"),
    "subjects": (
        "subjects",
        "subjects export --format jsonl | subjects exclude KIND PATTERN --reason R --by USER | exclusions",
    ),
    "evidence": ("evidence", "evidence store keys: evidence new-key | evidence rotate-key"),
    "demo": ("demo", "seed synthetic demo data and print the demo logins (no server)"),
    "check": ("check", "check the configuration and exit"),
    "manage": ("", "run any Django management command: haven manage COMMAND ..."),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: haven COMMAND [options]",
        "",
        "Every command reads its settings from HAVEN_* environment variables; HAVEN_DATABASE_URL picks the",
        "database (default: a SQLite file under var/). `haven COMMAND --help` explains one command.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"haven: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    command = COMMANDS[name][0]
    if not command:
        if not rest:
            print("haven manage: name a Django management command", file=sys.stderr)
            return 2
        command, rest = rest[0], rest[1:]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    # Nothing in Haven multiplies large matrices, but an OpenBLAS thread pool, once started by a library's
    # first call, spins waiting for work on every core (2% of a bank import's CPU in perf). One thread.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"haven: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import ManagementUtility

    try:
        ManagementUtility(["haven", command, *rest]).execute()
    except ImproperlyConfigured as exc:
        print(f"haven: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
