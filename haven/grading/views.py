"""The grading queue and the welfare viewer. Every page and every thumbnail served is audited; thumbnails are
made in memory, blurred and greyscale unless the grader revealed that one item."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from haven.accounts.models import User
from haven.accounts.roles import has_permission
from haven.audit.actions import record
from haven.core.access import Permission, requires
from haven.core.listing import paginate
from haven.evidence import store
from haven.grading import actions
from haven.grading.metrics import by_grader, metrics, reviewing_minutes
from haven.grading.models import Cluster, Decision, Item, Reveal, Stage
from haven.grading.thumbs import BLUR_RANGE, thumbnail
from haven.hashbank.actions import GRADES
from haven.hashbank.importing import BankError
from haven.hashbank.models import SELF_REFERRAL_LIST, BankRecord

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def waiting_for(user: User) -> QuerySet[Cluster]:
    """The clusters this grader may grade, most urgent first: a first look, or a second look at one they
    did not grade first; none with a member that has no copy to look at."""
    no_copy = Item.objects.filter(cluster=OuterRef("pk"), blob=None)
    return (
        Cluster.objects.filter(Q(stage=Stage.FIRST) | Q(stage=Stage.SECOND) & ~Q(first_grader=user))
        .exclude(Exists(no_copy))
        .order_by("band", "queued_at", "id")
    )


@requires(Permission.HASHBANK_GRADE)
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    clusters = waiting_for(user)
    record("grading.queue_view", request=request)
    page, query = paginate(request, clusters, PAGE_SIZE)
    supervisor = has_permission(user, Permission.HASHBANK_MANAGE)
    self_referred = BankRecord.objects.filter(sources__bank_list__name=SELF_REFERRAL_LIST, graders=0)
    return render(
        request,
        "grading/queue.html",
        {
            "title": "Grading",
            "page": page,
            "query": query,
            "supervisor": supervisor,
            "disputed": Cluster.objects.filter(stage=Stage.DISPUTED).count() if supervisor else None,
            "no_copy": Item.objects.filter(blob=None).count(),
            "self_referred_waiting": self_referred.exclude(pk__in=Item.objects.values("record_id"))
            .distinct()
            .count(),
            "minutes": round(reviewing_minutes(user)),
            "settings": actions.viewer_settings(user),
        },
    )


@requires(Permission.HASHBANK_GRADE)
def next_cluster(request: HttpRequest) -> HttpResponse:
    first = waiting_for(_user(request)).first()
    if first is None:
        messages.info(request, "Nothing is waiting for you to grade")
        return redirect("grading:queue")
    return redirect("grading:cluster", pk=first.pk)


class GradeForm(forms.Form):
    category = forms.ChoiceField(
        label="Category",
        choices=[(c.value, c.label) for c in GRADES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a category", "invalid_choice": "Select a category"},
    )
    series = forms.CharField(
        label="Series (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "The series must be 100 characters or fewer"},
    )
    victim_identified = forms.BooleanField(label="The victim is identified", required=False)
    offender_identified = forms.BooleanField(label="The offender is identified", required=False)
    seen = forms.CharField(widget=forms.HiddenInput)

    def clean_seen(self) -> list[int]:
        try:
            return [int(x) for x in str(self.cleaned_data["seen"]).split(",") if x]
        except ValueError:
            raise forms.ValidationError(
                "The list of items shown is not valid: look at the cluster again"
            ) from None


def may_decide(cluster: Cluster, user: User) -> bool:
    """Whether this grader is one the cluster waits for: a first grader, a second who did not grade it
    first, or a supervisor for a dispute they took no part in. Only they are shown its files."""
    if Decision.objects.filter(cluster=cluster, grader=user).exists():
        return False
    if cluster.stage in {Stage.FIRST, Stage.SECOND}:
        return True
    return cluster.stage == Stage.DISPUTED and has_permission(user, Permission.HASHBANK_MANAGE)


def _viewable(request: HttpRequest, pk: int) -> Item:
    """The item, if it has a file and its cluster waits for this grader; otherwise 404 or 403."""
    item = get_object_or_404(Item.objects.select_related("blob", "cluster"), pk=pk, blob__isnull=False)
    if not may_decide(item.cluster, _user(request)):
        raise PermissionDenied("This file's cluster is not waiting for you")
    return item


def _cluster_page(
    request: HttpRequest, cluster: Cluster, *, form: GradeForm | None = None, error: str | None = None
) -> HttpResponse:
    user = _user(request)
    supervisor = has_permission(user, Permission.HASHBANK_MANAGE)
    items = list(cluster.items.order_by("id"))
    mine = Decision.objects.filter(cluster=cluster, grader=user).exists()
    can_decide = may_decide(cluster, user)
    shown = items if can_decide else []
    wanted = _reveal_id(request)
    revealed = {}
    for item in shown:
        active = actions.active_reveal(item, user, wanted)
        if active is not None:
            revealed[item.pk] = active
    if shown:
        actions.open_look(cluster, user)
    record(
        "grading.cluster_view",
        request=request,
        obj=cluster,
        details={
            "items": [i.pk for i in shown],
            "stage": cluster.stage,
            "invalid_form": bool(form and form.errors),
        },
    )
    chosen = actions.viewer_settings(user)
    minutes = reviewing_minutes(user)
    context = {
        "title": f"Cluster {cluster.pk}",
        "cluster": cluster,
        "items": [(item, revealed.get(item.pk), _remaining(revealed.get(item.pk))) for item in shown],
        "can_decide": can_decide,
        "mine": mine,
        "form": form or GradeForm(initial={"seen": ",".join(str(i.pk) for i in shown)}),
        "error": error,
        # The graders' verdicts, for the supervisor settling a dispute only: a second grader never sees them.
        "decisions": cluster.decisions.select_related("grader")
        if cluster.stage == Stage.DISPUTED and supervisor
        else None,
        "series": BankRecord.objects.exclude(series="")
        .values_list("series", flat=True)
        .distinct()
        .order_by("series")[:200],
        "settings": chosen,
        "minutes": round(minutes),
        "take_a_break": chosen.break_minutes and minutes >= chosen.break_minutes,
        "reveal_seconds": actions.reveal_seconds(),
    }
    status = 400 if (form is not None and form.errors) or error else 200
    return render(request, "grading/cluster.html", context, status=status)


def _remaining(shown: Reveal | None) -> int:
    """Whole seconds left of a running reveal, for the page to blur the file again when it ends."""
    if shown is None:
        return 0
    return max(0, int((actions.deadline(shown) - timezone.now()).total_seconds()))


def _reveal_id(request: HttpRequest) -> int | None:
    """The reveal that ``?reveal=`` names, if it is a number."""
    try:
        return int(request.GET.get("reveal", ""))
    except ValueError:
        return None


@requires(Permission.HASHBANK_GRADE)
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _cluster_page(request, get_object_or_404(Cluster, pk=pk))


@require_POST
@requires(Permission.HASHBANK_GRADE)
def cluster_grade(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = Cluster.objects.filter(pk=pk).first()
    if cluster is None:
        # Reclustering merged it into an older cluster while the grader looked: nothing was graded.
        messages.info(
            request,
            "That cluster was joined with near-duplicates that came in since. Nothing was graded: "
            "look at it again",
        )
        return redirect("grading:next")
    form = GradeForm(request.POST)
    if not form.is_valid():
        return _cluster_page(request, cluster, form=form)
    data = form.cleaned_data
    grade = actions.Grade(
        data["category"], data["series"], data["victim_identified"], data["offender_identified"]
    )
    try:
        cluster = actions.grade_cluster(
            cluster, grader=_user(request), seen=data["seen"], grade=grade, request=request
        )
    except (actions.GradingError, BankError) as exc:
        return _cluster_page(request, cluster, form=form, error=str(exc))
    saved = cluster.size - 1
    messages.success(
        request,
        f"Graded {cluster.size} file{'s' if cluster.size != 1 else ''} with one decision"
        + (f": {saved} look{'s' if saved != 1 else ''} saved" if saved else "")
        + {
            Stage.SECOND: ". A second grader will check it.",
            Stage.DONE: ". It is verified.",
            Stage.DISPUTED: ". The graders disagree, so a supervisor will decide.",
        }.get(Stage(cluster.stage), "."),
    )
    return redirect("grading:next")


@require_POST
@requires(Permission.HASHBANK_GRADE)
def item_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    item = _viewable(request, pk)
    shown = actions.reveal(item, grader=_user(request), request=request)
    return redirect(f"{reverse('grading:cluster', args=[item.cluster_id])}?reveal={shown.pk}#item-{item.pk}")


@require_POST
@requires(Permission.HASHBANK_GRADE)
def reveal_hide(request: HttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(Reveal, pk=pk)
    try:
        actions.hide(shown, grader=_user(request), request=request)
    except actions.GradingError as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect(f"{reverse('grading:cluster', args=[shown.item.cluster_id])}#item-{shown.item_id}")


@require_POST
@requires(Permission.HASHBANK_GRADE)
def item_pull_out(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    old = item.cluster
    try:
        actions.pull_out(item, grader=_user(request), request=request)
    except actions.GradingError as exc:
        return _cluster_page(request, old, error=str(exc))
    messages.success(request, f"Item {item.pk} is out of this cluster and waits on its own")
    return redirect("grading:cluster", pk=old.pk)


@requires(Permission.HASHBANK_GRADE)
def item_image(request: HttpRequest, pk: int) -> HttpResponse:
    """One thumbnail, made now from the encrypted file in memory: blurred and greyscale as the grader's
    settings say, unless ``?reveal=`` names their running reveal of this item. Audited."""
    user = _user(request)
    item = _viewable(request, pk)
    wanted = _reveal_id(request)
    shown = actions.active_reveal(item, user, wanted)
    chosen = actions.viewer_settings(user)
    assert item.blob is not None
    try:
        jpeg = thumbnail(
            store.read(item.blob.sha256), blur=0 if shown else chosen.blur, greyscale=chosen.greyscale
        )
    except ValueError as exc:
        record("grading.image", request=request, obj=item, details={"error": str(exc)})
        return HttpResponse(f"This file cannot be shown: {exc}", status=422, content_type="text/plain")
    record(
        "grading.image",
        request=request,
        obj=item,
        details={
            "revealed": shown is not None,
            "reveal": shown.pk if shown else None,
            "blur": 0 if shown else chosen.blur,
            "greyscale": chosen.greyscale,
        },
    )
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


class SettingsForm(forms.Form):
    blur = forms.IntegerField(
        label="Blur strength",
        min_value=BLUR_RANGE[0],
        max_value=BLUR_RANGE[1],
        error_messages={
            "min_value": f"Blur must be {BLUR_RANGE[0]} or more",
            "max_value": f"Blur must be {BLUR_RANGE[1]} or less",
            "invalid": "Enter the blur as a whole number",
            "required": "Enter a blur strength",
        },
    )
    greyscale = forms.BooleanField(label="Show thumbnails in greyscale", required=False)
    break_minutes = forms.IntegerField(
        label="Remind me to take a break after this many minutes of reviewing (0 for never)",
        min_value=0,
        max_value=240,
        error_messages={
            "min_value": "Enter 0 or more minutes",
            "max_value": "Enter 240 minutes or fewer",
            "invalid": "Enter the minutes as a whole number",
            "required": "Enter the minutes",
        },
    )


@requires(Permission.HASHBANK_GRADE)
def viewer_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    chosen = actions.viewer_settings(user)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            actions.save_viewer_settings(user, request=request, **form.cleaned_data)
            messages.success(request, "Saved your viewer settings")
            return redirect("grading:settings")
    else:
        form = SettingsForm(
            initial={
                "blur": chosen.blur,
                "greyscale": chosen.greyscale,
                "break_minutes": chosen.break_minutes,
            }
        )
    return render(
        request,
        "grading/settings.html",
        {"title": "Viewer settings", "form": form},
        status=400 if form.errors else 200,
    )


@requires(Permission.HASHBANK_MANAGE)
def disputes(request: HttpRequest) -> HttpResponse:
    record("grading.disputes_view", request=request)
    page, query = paginate(
        request, Cluster.objects.filter(stage=Stage.DISPUTED).order_by("band", "queued_at", "id"), PAGE_SIZE
    )
    return render(
        request, "grading/disputes.html", {"title": "Disputed grades", "page": page, "query": query}
    )


@requires(Permission.HASHBANK_MANAGE)
def metrics_view(request: HttpRequest) -> HttpResponse:
    record("grading.metrics_view", request=request)
    figures = metrics()
    return render(
        request,
        "grading/metrics.html",
        {"title": "Grading metrics", "m": figures, "graders": by_grader(figures.days)},
    )
