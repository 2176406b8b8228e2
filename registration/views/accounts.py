"""Account pages: register, sign in and out, passwords, degree records (学历学位信息维护)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from registration.forms import DegreeRecordForm, LoginForm, RegistrationForm
from registration.models import User
from registration.selectors.accounts import degree_record_list
from registration.services.accounts import candidate_register, degree_record_create
from registration.throttling import (
    SIGN_IN_LIMITS,
    PasswordResetByAccount,
    PasswordResetByAddress,
    RegisterByAccount,
    RegisterByAddress,
    throttle_page,
)
from wecan.errors import InvalidInput


@sensitive_post_parameters("password1", "password2", "id_number", "id_number_confirm")
@throttle_page(RegisterByAddress, RegisterByAccount)
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = candidate_register(**form.service_arguments())
        except InvalidInput as error:
            form.add_portal_error(error)
        else:
            login(request, user, backend="registration.auth.UsernameOrIdNumberBackend")
            messages.success(request, _("注册成功，已为您登录。"))
            return redirect("home")
    return render(request, "registration/register.html", {"form": form})


@login_required
def degrees(request: HttpRequest) -> HttpResponse:
    candidate = request.user
    if not isinstance(candidate, User) or not candidate.is_candidate:
        raise PermissionDenied
    # The 教育情况 section links here with ?next=; the page links back so the record can be cited.
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = DegreeRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            degree_record_create(candidate=candidate, **form.cleaned_data)
        except InvalidInput as error:
            form.add_portal_error(error)
        else:
            messages.success(request, _("已添加学历学位信息。"))
            return redirect(f"{reverse('degrees')}?{urlencode({'next': back})}" if back else reverse("degrees"))
    records = degree_record_list(candidate=candidate)
    return render(request, "registration/degrees.html", {"form": form, "records": records, "back": back})


urlpatterns = [
    path("accounts/register/", register, name="register"),
    path(
        "accounts/login/",
        throttle_page(*SIGN_IN_LIMITS)(
            auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        throttle_page(PasswordResetByAddress, PasswordResetByAccount)(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        throttle_page(PasswordResetByAddress)(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/degrees/", degrees, name="degrees"),
]
