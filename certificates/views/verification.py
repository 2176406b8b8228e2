"""The public verification page (证书查验): by the code that the certificate's QR code carries."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from certificates import typed_codes
from certificates.selectors.certificates import certificate_verification
from certificates.throttling import CertificateVerifyThrottle


class VerifyForm(forms.Form):
    code = forms.RegexField(
        label=_("查验码"),
        regex=r"^[A-Za-z0-9_\- ]+$",
        max_length=64,
        strip=True,
        help_text=_("证书上的12位查验码，如 K7QM-X2PD-9RWB；不区分大小写，可不输入“-”。"),
        error_messages={"invalid": _("查验码只含字母、数字、“-”和“_”，请核对。")},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if typed_codes.looks_typed(code):
            checked = typed_codes.normalized(code)
            if checked is None:
                raise forms.ValidationError(_("查验码有误：校验位不符，请逐位核对后重新输入。"), code="check")
            return checked
        return code.replace(" ", "")


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this address has used up its verifications for now, else ``None``."""
    throttle = CertificateVerifyThrottle()
    # The throttle reads only the request's address, which a page request has like an API one.
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    wait = throttle.wait()
    response = render(request, "certificates/verify_throttled.html", {"wait": int(wait or 0) + 1}, status=429)
    if wait is not None:
        response["Retry-After"] = str(int(wait) + 1)
    return response


def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("certificate-verify-result", code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", {"form": form})


def verify_result(request: HttpRequest, code: str) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    verification = certificate_verification(code=code)
    status = 200 if verification is not None else 404
    return render(
        request,
        "certificates/verify_result.html",
        {"verification": verification, "form": VerifyForm(initial={"code": code})},
        status=status,
    )


urlpatterns = [
    path("certificates/verify/", verify_form, name="certificate-verify"),
    path("certificates/verify/<str:code>/", verify_result, name="certificate-verify-result"),
]
