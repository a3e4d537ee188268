"""Sign in with a password, then a second factor; set up an authenticator on first sign-in; sign out."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.actions import change_own_password, confirm_totp_device, start_totp_setup
from haven.accounts.forms import TokenForm
from haven.accounts.middleware import needs_second_factor
from haven.accounts.models import User
from haven.audit.actions import record
from haven.core.access import public, second_factor_step, signed_in


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }


@method_decorator(public, name="dispatch")
class SignInView(LoginView):
    template_name = "accounts/login.html"
    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        user = self.request.user
        target = self.get_redirect_url()
        if isinstance(user, User) and needs_second_factor(user):
            two_factor = reverse("accounts:two_factor")
            return f"{two_factor}?{urlencode({'next': target})}" if target else two_factor
        return target or reverse("home")


def _totp_qr_svg(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    return str(svg)


@second_factor_step
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not needs_second_factor(user):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up and not user.password_is_one_time:
        # A first authenticator needs the one-time password an administrator issued: otherwise anyone who
        # learnt a person's password could bind their own phone to the account.
        record("auth.2fa_setup_refused", request=request, actor=user, obj=user)
        return render(request, "accounts/no_authenticator.html", status=403)
    if setting_up:
        device = start_totp_setup(user)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # django-otp doubles the wait after each wrong code, so guessing all million codes is impractical.
            form.add_error("token", "Too many wrong codes. Wait a few seconds, then enter the newest code.")
        elif device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                confirm_totp_device(device, request=request)
            otp_login(request, device)
            record("auth.2fa_verified", request=request, actor=user, obj=user)
            return redirect(request.GET["next"]) if _safe_next(request) else redirect("home")
        else:
            record("auth.2fa_failed", request=request, actor=user, obj=user)
            form.add_error("token", "The security code is not correct, or has expired. Try the newest code.")
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context["qr_svg"] = _totp_qr_svg(device)
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["issuer"] = settings.OTP_TOTP_ISSUER
    return render(request, "accounts/two_factor.html", context)


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.GET.get("next", "")
    return nxt.startswith("/staff/") and "//" not in nxt


class OwnPasswordForm(SetPasswordForm):  # type: ignore[type-arg]  # django-stubs: generic on the user model
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": "The two passwords do not match"}


@signed_in
def password(request: HttpRequest) -> HttpResponse:
    """Choose one's own password: at the first sign-in, in place of the one-time password, or at any time."""
    user = request.user
    assert isinstance(user, User)
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_own_password(user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed")
        return redirect("home")
    return render(
        request,
        "accounts/password.html",
        {"form": form if form.errors else None, "password_form": form, "first": user.password_is_one_time},
        status=400 if form.errors else 200,
    )


@require_POST
@second_factor_step
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
