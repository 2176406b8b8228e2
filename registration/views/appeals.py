"""The appeal page for an ID number that someone else registered (证件号码被冒用申诉)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from registration.forms import IdentityAppealForm
from registration.services.appeals import identity_appeal_submit
from registration.throttling import AppealByAddress, throttle_page
from registration.uploads import cap_uploads, uploaded_bytes
from wecan.errors import InvalidInput


# The CSRF check reads the body, so it runs inside, after the upload cap is in place.
@csrf_exempt
@sensitive_post_parameters("id_number")
@throttle_page(AppealByAddress)
def appeal(request: HttpRequest) -> HttpResponse:
    cap_uploads(request)
    return _appeal(request)


@csrf_protect
def _appeal(request: HttpRequest) -> HttpResponse:
    form = IdentityAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            identity_appeal_submit(
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                email=data["email"],
                mobile=data["mobile"],
                statement=data["statement"],
                id_card=uploaded_bytes(data["id_card"], field="id_card"),
                holding_photo=uploaded_bytes(data["holding_photo"], field="holding_photo"),
            )
        except InvalidInput as error:
            form.add_portal_error(error)
        else:
            return redirect("identity_appeal_done")
    return render(request, "registration/appeal.html", {"form": form})


def appeal_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/appeal_done.html")


urlpatterns = [
    path("accounts/appeal/", appeal, name="identity_appeal"),
    path("accounts/appeal/done/", appeal_done, name="identity_appeal_done"),
]
