"""Getting your own images removed: the public self-referral pages, on the model of NCMEC's Take It Down and
the IWF and Childline's Report Remove.

A young person picks their photos and videos on their own device. The page hashes them there (SHA-256 with
Web Crypto, and PDQ with Haven's own JavaScript, ``frontend/src/js/pdq.mjs``), and only the hashes are sent:
the file input has no name and sits outside the form, so a browser never sends a file. The person gets a
reference number, and no account; they check the status with the number.

Like the advice pages, these pages set no cookie: the two forms are POSTs without a CSRF token. Nobody is
signed in here, so a forged request can do nothing that the forger could not do by sending it themselves,
and a POST keeps the reference number out of the address bar and the browser's history.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from haven.core.access import public
from haven.core.paths import json_path
from haven.core.requests import client_ip
from haven.hashbank.hashtypes import PdqHex, Sha256Hex
from haven.intake.actions import (
    MAX_SELF_REFERRED_FILES,
    SelfReferredFile,
    admit_public_report,
    find_self_referral,
    submit_self_referral,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_FILES_FIELD = 300 * MAX_SELF_REFERRED_FILES  # characters of the hidden field that carries the hashes
TOKEN_LENGTH = 32  # hexadecimal characters of the random value the page makes when it opens


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: Sha256Hex
    pdq: PdqHex | None = None
    quality: int | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _pdq_with_quality(self) -> FileIn:
        if (self.pdq is None) != (self.quality is None):
            raise ValueError("give pdq and quality together, or neither")
        return self


FILES = TypeAdapter(list[FileIn])


def _files(raw: str) -> tuple[list[SelfReferredFile], list[StrOrPromise]]:
    """The hashes the page sent, or what is wrong with them, each problem naming its file's position."""
    too_many = format_lazy(_("Send {} files or fewer at a time"), MAX_SELF_REFERRED_FILES)
    if not raw.strip():
        return [], [_("Choose at least one photo or video")]
    if len(raw) > MAX_FILES_FIELD:
        return [], [too_many]
    try:
        files = FILES.validate_python(json.loads(raw))
    except json.JSONDecodeError:
        return [], [_("The fingerprints could not be read: choose your files again")]
    except ValidationError as exc:
        return [], [f"{json_path(e['loc'], 'files')}: {e['msg']}" for e in exc.errors()]
    if len(files) > MAX_SELF_REFERRED_FILES:
        return [], [too_many]
    unique = {f.sha256: SelfReferredFile(f.sha256, f.pdq, f.quality) for f in files}
    return list(unique.values()), []


def script_text() -> dict[str, str]:
    """The words the page's script shows, in the reader's language: the script has none of its own. It
    fills in the names in braces."""
    return {
        "making": gettext("Making fingerprints: {done} of {total}"),
        "ready_one": gettext("{count} fingerprint ready to send."),
        "ready_many": gettext("{count} fingerprints ready to send."),
        "made": gettext("Made"),
        "made_file_only": gettext("Made from the file only"),
        "not_made": gettext("Not made: {reason}"),
        "too_many": gettext(
            "You can send up to {max} at a time. Choose fewer, then send the rest afterwards."
        ),
        "too_large": gettext("too large: choose files of 200 MB or less"),
        "unreadable": gettext("the file could not be read"),
        "insecure": gettext(
            "This page must be opened over a secure connection (an address that starts https) to make "
            "fingerprints."
        ),
    }


def _token(raw: str) -> str | None:
    token = raw.strip().lower()
    if len(token) == TOKEN_LENGTH and all(c in "0123456789abcdef" for c in token):
        return token
    return None


@public
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/selfreferral/start.html", {"page_title": _("Get images of you removed")})


@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "page_title": _("Choose your photos and videos"),
        "max": MAX_SELF_REFERRED_FILES,
        "text": script_text(),
    }
    if request.method == "GET":
        return render(request, "intake/selfreferral/send.html", context)
    raw = request.POST.get("files", "")
    files, problems = _files(raw)
    token = _token(request.POST.get("token", ""))
    if token is None:
        problems.append(_("The page was not complete: open it again and choose your files again"))
    errors = [("choose", problem) for problem in problems]
    age_error: StrOrPromise = ""
    if request.POST.get("under_18") != "yes":
        age_error = _("Confirm that you were under 18 in these photos or videos")
        errors.append(("under-18", age_error))
    if errors:
        # Sent back with what was given, so nothing chosen is lost (the hashes stay in the page).
        context |= {"errors": errors, "age_error": age_error, "files": raw if files else "",
                    "token": token or "", "count": len(files)}  # fmt: skip
        return render(request, "intake/selfreferral/send.html", context, status=400)
    if not admit_public_report(client_ip(request), per_hour=settings.PUBLIC_REPORTS_PER_HOUR):
        return render(request, "intake/public/limit.html", {"page_title": _("Try again later")}, status=429)
    assert token is not None  # for mypy: a missing token is an error above
    sent = submit_self_referral(token, files)
    context = {"page_title": _("Fingerprints sent"), "reference": sent.reference, "count": len(files)}
    return render(request, "intake/selfreferral/sent.html", context)


@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"page_title": _("Check what has happened")}
    if request.method == "POST":
        typed = request.POST.get("reference", "")[:40]
        context["typed"] = typed
        if not admit_public_report(
            f"status {client_ip(request) or ''}", per_hour=settings.PUBLIC_STATUS_CHECKS_PER_HOUR
        ):
            return render(
                request, "intake/public/limit.html", {"page_title": _("Try again later")}, status=429
            )
        referral = find_self_referral(typed)
        if referral is None:
            context["error"] = _("Enter the reference number you were given, like SR-7K2M-9QXD-4HBT")
            return render(request, "intake/selfreferral/status.html", context, status=400)
        context |= {"referral": referral, "progress": referral.progress()}
    return render(request, "intake/selfreferral/status.html", context)
