"""The public reporting form: one question a page, answers kept in the session until the person sends them.

A report about a child's safety asks for contact details so that an adviser can follow up, as CEOP does;
a report of abusive images seen online may be anonymous, as at the IWF. Every page carries Exit this page,
the 999 banner and the Childline signpost, is never cached, and works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from haven.audit.actions import record
from haven.core.access import public
from haven.core.requests import client_ip
from haven.core.sessions import PUBLIC_REPORT, end_public_session
from haven.intake.actions import ConflictError, admit_public_report, submit_reports
from haven.intake.models import Source, reference_of
from haven.intake.schemas import MAX_CHAT_TEXT, ReportIn

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SESSION = PUBLIC_REPORT

MAX_PASTED = 200_000  # characters of pasted messages
WHO = [
    ("young_person", _("A young person")),
    ("parent_carer", _("A parent or carer")),
    ("professional", _("A professional, such as a teacher or social worker")),
    ("someone_else", _("Someone else")),
]
WHAT = [
    (
        "talking",
        _("Someone online is talking to a child in a sexual way, or asking to meet"),
        "online_enticement",
    ),
    ("threats", _("Someone is threatening to share sexual images of a child"), "sextortion"),
    ("sent_images", _("Someone sent sexual images or videos to a child"), "obscene_material_to_child"),
    ("images_online", _("I have seen sexual images or videos of a child online"), "csam_distribution"),
    ("other", _("Something else that worries me about a child online"), "other"),
]
ANONYMOUS_ALLOWED = {"images_online"}


class WhoForm(forms.Form):
    who = forms.ChoiceField(
        label=_("I am"),
        choices=WHO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who you are")},
    )


class WhatForm(forms.Form):
    what = forms.ChoiceField(
        label=_("What has happened?"),
        choices=[(value, label) for value, label, _kind in WHAT],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what has happened")},
    )
    details = forms.CharField(
        label=_("Tell us what happened"),
        max_length=5000,
        widget=forms.Textarea,
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("Use 5,000 characters or fewer"),
        },
    )


class WhenForm(forms.Form):
    day = forms.IntegerField(label=_("Day"), required=False, min_value=1, max_value=31)
    month = forms.IntegerField(label=_("Month"), required=False, min_value=1, max_value=12)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [data.get("day"), data.get("month"), data.get("year")]
        if self.errors or not any(parts):
            return data
        if not all(parts):
            raise forms.ValidationError(_("Enter a day, month and year, or leave all three empty"))
        try:
            day = dt.date(int(data["year"]), int(data["month"]), int(data["day"]))
        except ValueError:
            raise forms.ValidationError(_("Enter a real date")) from None
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date must be today or in the past"))
        data["date"] = day.isoformat()
        return data


class WhoDidItForm(forms.Form):
    username = forms.CharField(label=_("Their username"), required=False, max_length=200)
    platform = forms.CharField(label=_("The app, game or website"), required=False, max_length=100)
    link = forms.URLField(
        label=_("A link to their profile or the content"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a link in the form https://example.com/page")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username") and not data.get("platform"):
            self.add_error("platform", _("Enter the app, game or website the username is on"))
        return data


class MessagesForm(forms.Form):
    messages = forms.CharField(
        label=_("Paste the messages"),
        required=False,
        max_length=MAX_PASTED,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"max_length": format_lazy(_("Paste {} characters or fewer"), f"{MAX_PASTED:,}")},
    )


# A pasted line: an optional WhatsApp date and time, then "name: message".
_STAMP = re.compile(
    r"^\[?\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?::\d{2})?(?:\s?[apAP]\.?[mM]\.?)?\]?(?: -)? ?"
)


def pasted_conversation(text: str) -> dict[str, Any] | None:
    """Messages a person pasted, as a conversation: each ``name: message`` line a message (a WhatsApp
    export's dates dropped), a line without a name continuing the message before it. Nothing pasted is
    refused: a line with no name before anything else is kept as from "unknown"."""
    messages: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = _STAMP.sub("", raw.strip())
        if not line:
            continue
        name, sep, said = line.partition(": ")
        if sep and 0 < len(name) <= 60:
            messages.append({"from": name.strip(), "text": said.strip()[:MAX_CHAT_TEXT]})
        elif messages:
            messages[-1]["text"] = (messages[-1]["text"] + "\n" + line)[:MAX_CHAT_TEXT]
        else:
            messages.append({"from": "unknown", "text": line[:MAX_CHAT_TEXT]})
    return {"platform": None, "messages": messages} if messages else None


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What would you like to happen?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": _("Use 2,000 characters or fewer")},
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address in the form name@example.com")},
    )
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=40)

    def __init__(self, *args: Any, anonymous_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anonymous_allowed = anonymous_allowed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.anonymous_allowed and not self.errors and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Enter an email address or a phone number, so an adviser can contact you")
            )
        return data


@dataclass(frozen=True)
class Step:
    slug: str
    title: StrOrPromise
    form: type[forms.Form]
    template_fields: str  # how the question page lays the form out


STEPS = [
    Step("who", _("Who are you?"), WhoForm, "radios"),
    Step("what", _("What has happened?"), WhatForm, "what"),
    Step("when", _("When did it happen?"), WhenForm, "date"),
    Step("who-did-it", _("Who did it?"), WhoDidItForm, "fields"),
    Step("messages", _("Paste the messages"), MessagesForm, "messages"),
    Step("outcome", _("What would you like to happen?"), OutcomeForm, "textarea"),
    Step("contact", _("Your contact details"), ContactForm, "fields"),
]
BY_SLUG = {step.slug: step for step in STEPS}


def _answers(request: HttpRequest) -> dict[str, Any]:
    answers = request.session.get(SESSION)
    return answers if isinstance(answers, dict) else {}


def _anonymous_allowed(answers: dict[str, Any]) -> bool:
    return answers.get("what", {}).get("what") in ANONYMOUS_ALLOWED


def _form(step: Step, answers: dict[str, Any], data: Any = None) -> forms.Form:
    kwargs: dict[str, Any] = {"initial": answers.get(step.slug, {})}
    if step.form is ContactForm:
        kwargs["anonymous_allowed"] = _anonymous_allowed(answers)
    return step.form(data, **kwargs)


@public
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session[SESSION] = {"key": str(uuid.uuid4())}
        return redirect("report:step", slug=STEPS[0].slug)
    return render(request, "intake/public/start.html", {"page_title": _("Report to the centre")})


@public
@never_cache
def step(request: HttpRequest, slug: str) -> HttpResponse:
    current = BY_SLUG.get(slug)
    answers = _answers(request)
    if current is None or "key" not in answers:
        return redirect("report:start")
    index = STEPS.index(current)
    if request.method == "POST":
        form = _form(current, answers, request.POST)
        if form.is_valid():
            answers[current.slug] = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            request.session[SESSION] = answers
            following = "report:check" if index == len(STEPS) - 1 or "check" in answers else None
            if following:
                return redirect(following)
            return redirect("report:step", slug=STEPS[index + 1].slug)
    elif request.GET.get("review") and current.slug in answers:
        # Sent back from the check page: show why these answers no longer stand.
        form = _form(current, answers, data=answers[current.slug])
        form.is_valid()
    else:
        form = _form(current, answers)
    back = reverse("report:step", args=[STEPS[index - 1].slug]) if index else reverse("report:start")
    return render(
        request,
        "intake/public/question.html",
        {
            "page_title": current.title,
            "step": current,
            "form": form,
            "back": back,
            "anonymous_allowed": _anonymous_allowed(answers),
            "first_field": f"id_{next(iter(form.fields))}",  # where an error about the whole page points
        },
        status=400 if form.errors else 200,
    )


REQUIRED_STEPS = {"who", "what", "contact"}


def _first_unfinished(answers: dict[str, Any]) -> Step | None:
    """The first step whose answers, checked again now, do not stand: a required step never answered, or
    one whose answers no longer pass (contact details left out while the report was of images seen online,
    and then the report was changed to sextortion, which needs them)."""
    for step in STEPS:
        given = answers.get(step.slug)
        if given is None:
            if step.slug in REQUIRED_STEPS:
                return step
            continue
        if not _form(step, answers, data=given).is_valid():
            return step
    return None


def _summary(answers: dict[str, Any]) -> list[tuple[str, str, str]]:
    who = dict(WHO).get(answers.get("who", {}).get("who", ""), "")
    what_value = answers.get("what", {}).get("what", "")
    what = next((label for value, label, _kind in WHAT if value == what_value), "")
    person = answers.get("who-did-it", {})
    contact = answers.get("contact", {})
    not_known = gettext("Not known")

    def joined(*values: str | None, empty: str) -> str:
        return ", ".join(v for v in values if v) or empty

    return [
        (gettext("I am"), who, "who"),
        (gettext("What has happened"), what, "what"),
        (gettext("What happened"), answers.get("what", {}).get("details", ""), "what"),
        (gettext("When"), answers.get("when", {}).get("date", not_known), "when"),
        (gettext("Who did it"),
         joined(person.get("username"), person.get("platform"), person.get("link"), empty=not_known),
         "who-did-it"),
        (gettext("Messages you pasted"), _pasted_summary(answers.get("messages", {}).get("messages", "")),
         "messages"),
        (gettext("What you would like to happen"),
         answers.get("outcome", {}).get("outcome") or gettext("Not given"), "outcome"),
        (gettext("Contact details"), joined(contact.get("name"), contact.get("email"), contact.get("phone"),
                                      empty=gettext("None (anonymous)")), "contact"),
    ]  # fmt: skip


def _pasted_summary(text: str) -> str:
    chat = pasted_conversation(text)
    if not chat:
        return gettext("None")
    count = len(chat["messages"])
    return ngettext("%(count)d message", "%(count)d messages", count) % {"count": count}


def _report(answers: dict[str, Any]) -> ReportIn:
    what_value = answers["what"]["what"]
    incident_type = next(kind for value, _label, kind in WHAT if value == what_value)
    when = answers.get("when", {}).get("date")
    person = answers.get("who-did-it", {})
    identifiers: list[dict[str, Any]] = []
    if person.get("username"):
        identifiers.append({"kind": "username", "value": person["username"], "platform": person["platform"]})
    if person.get("link"):
        identifiers.append({"kind": "url", "value": person["link"]})
    # The report is kept in the centre's own language, whichever language the person read the form in.
    with translation.override(settings.LANGUAGE_CODE):
        who = str(dict(WHO)[answers["who"]["who"]])
    outcome = answers.get("outcome", {}).get("outcome", "")
    summary = f"Reported by: {who}.\n\n{answers['what']['details']}"
    if outcome:
        summary += f"\n\nWhat they would like to happen: {outcome}"
    contact = answers.get("contact", {})
    return ReportIn.model_validate({
        "incident": {"type": incident_type, "summary": summary,
                     "occurred_at": f"{when}T12:00:00Z" if when else None},
        "reported_persons": [{"identifiers": identifiers}] if identifiers else [],
        "reporter": {"contact_name": contact.get("name"), "contact_email": contact.get("email"),
                     "contact_phone": contact.get("phone")},
        "conversations": [chat] if (chat := pasted_conversation(
            answers.get("messages", {}).get("messages", ""))) else [],
    })  # fmt: skip


@public
@never_cache
def check(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    if "key" not in answers:
        return redirect("report:start")
    unfinished = _first_unfinished(answers)
    if unfinished is not None:
        return redirect(reverse("report:step", args=[unfinished.slug]) + "?review=1")
    answers["check"] = True
    request.session[SESSION] = answers
    if request.method == "POST":
        if not admit_public_report(client_ip(request), per_hour=settings.PUBLIC_REPORTS_PER_HOUR):
            return render(
                request, "intake/public/limit.html", {"page_title": _("Try again later")}, status=429
            )
        # No request goes to the audit trail from here: a member of the public's address and browser are
        # not kept (the trail is append-only, so anything written there is kept for ever).
        (result,) = submit_reports(
            [_report(answers)], organisation=None, source=Source.PUBLIC, idempotency_key=answers["key"],
            finished=True, origin="public form",
        )  # fmt: skip
        if isinstance(result, ConflictError):  # pragma: no cover  (the key is this session's own)
            return redirect("report:start")
        record("intake.public_report", obj=result.report)
        request.session[SESSION] = {"done": str(result.report.uid)}
        return redirect("report:done")
    return render(
        request,
        "intake/public/check.html",
        {"page_title": _("Check your answers"), "rows": _summary(answers)},
    )


@public
@never_cache
def done(request: HttpRequest) -> HttpResponse:
    uid = _answers(request).get("done")
    if not uid:
        return redirect("report:start")
    reference = reference_of(uuid.UUID(uid))
    # The report is sent: the session ends here and its cookie is deleted, so nothing on a shared device
    # shows that a report was made (the reference is on this page, once).
    end_public_session(request)
    return render(
        request, "intake/public/done.html", {"page_title": _("Report sent"), "reference": reference}
    )
