"""Staff pages beside the application list: dashboard, on-site confirmation, export, private images."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from registration import private_files
from registration.models.files import MaterialFile, Photo, UploadStatus
from registration.selectors.files import application_photo
from review.errors import StaleForm
from review.scope import Duty, may
from review.selectors import EXPORT_COLUMNS, application_by_number, export_rows, staff_dashboard
from review.services.decisions import application_confirm_by_code
from review.signed_forms import parse_form_code
from wecan.errors import PortalError
from wecan.spreadsheets import safe_row

View = Callable[..., HttpResponseBase]


def _context(model_admin: ModelAdmin, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **extra,
    }


def dashboard_view(model_admin: ModelAdmin) -> View:
    def view(request: HttpRequest) -> HttpResponse:
        if not may(request.user, Duty.VIEW):
            raise PermissionDenied
        dashboard = staff_dashboard(user=request.user)
        top = max([count for _status, _label, count in dashboard.by_status] + [1])
        top_day = max([entry.count for entry in dashboard.per_day] + [1])
        bar_width = 16
        chart_height = 120
        days = [
            {
                "day": entry.day,
                "count": entry.count,
                "x": index * (bar_width + 4),
                "height": entry.count * chart_height // top_day,
                "y": chart_height - entry.count * chart_height // top_day,
            }
            for index, entry in enumerate(dashboard.per_day)
        ]
        statuses = [
            {"status": status, "label": label, "count": count, "percent": count * 100 // top}
            for status, label, count in dashboard.by_status
        ]
        return TemplateResponse(
            request,
            "review/admin/dashboard.html",
            _context(
                model_admin,
                request,
                _("报名情况"),
                dashboard=dashboard,
                statuses=statuses,
                days=days,
                chart_width=len(days) * (bar_width + 4),
                chart_height=chart_height,
                bar_width=bar_width,
            ),
        )

    return view


class ConfirmByCodeForm(forms.Form):
    """A barcode scanner types what the form's barcode holds and presses Enter; staff may also type both."""

    scan = forms.CharField(
        label=gettext_lazy("扫描条形码"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    number = forms.CharField(label=gettext_lazy("网报号"), required=False, max_length=20)
    verification_code = forms.CharField(label=gettext_lazy("验证码"), required=False, max_length=20)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scanned = data.get("scan", "").strip()
        if scanned:
            number_and_code = parse_form_code(scanned)
            if number_and_code is None:
                raise forms.ValidationError(_("无法识别条形码内容，请手工输入网报号和验证码。"))
            data["number"], data["verification_code"] = number_and_code
        elif not (data.get("number") and data.get("verification_code")):
            raise forms.ValidationError(_("请扫描报名表条形码，或输入网报号和验证码。"))
        return data


# What the desk says in large type for each outcome of a scan.
_SCAN_WORDS = {
    "current": gettext_lazy("报名表有效，已确认"),
    "stale": gettext_lazy("报名表已过期，请重新打印"),
    "unknown": gettext_lazy("无法确认"),
}


def _scan_outcome(request: HttpRequest, number: str, verdict: str, code: str, message: str) -> dict[str, Any]:
    """The verdict with the candidate's photo and name to compare with the person at the desk."""
    application = application_by_number(user=request.user, number=number) if verdict != "unknown" else None
    photo = application_photo(application=application) if application else None
    return {
        "ok": verdict == "current",
        "code": code,
        "verdict": verdict,
        "word": _SCAN_WORDS[verdict],
        "message": message,
        "name": application.candidate.name if application else "",
        "number": application.number if application else number,
        "photo_url": (
            reverse("admin:registration_application_photo", args=[application.pk])
            if application and photo and photo.status == UploadStatus.ACCEPTED
            else None
        ),
        "url": reverse("admin:registration_application_change", args=[application.pk]) if application else None,
    }


def confirm_by_code_view(model_admin: ModelAdmin) -> View:
    def view(request: HttpRequest) -> HttpResponse:
        if not may(request.user, Duty.CONFIRM):
            raise PermissionDenied
        form = ConfirmByCodeForm(request.POST if request.method == "POST" else None)
        outcome = None
        if request.method == "POST" and form.is_valid():
            number = form.cleaned_data["number"]
            try:
                application_confirm_by_code(
                    actor=request.user,  # type: ignore[arg-type]
                    number=number,
                    verification_code=form.cleaned_data["verification_code"],
                )
            except StaleForm as error:
                outcome = _scan_outcome(request, number, "stale", error.code, str(error.message))
            except PortalError as error:
                details = [text for texts in error.fields.values() for text in texts]
                outcome = _scan_outcome(
                    request, number, "unknown", error.code, " ".join([str(error.message), *details])
                )
            else:
                outcome = _scan_outcome(
                    request, number, "current", "confirmed", _("网报号 %(number)s") % {"number": number}
                )
            # An empty form again, ready for the next scan.
            form = ConfirmByCodeForm()
        return TemplateResponse(
            request,
            "review/admin/confirm_by_code.html",
            _context(model_admin, request, _("现场确认（扫描报名表）"), form=form, outcome=outcome),
        )

    return view


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The BOM lets Excel open the UTF-8 file with its Chinese intact.
    yield "\ufeff" + writer.writerow([label for _key, label in EXPORT_COLUMNS])
    for row in rows:
        yield writer.writerow(safe_row("" if value is None else value for value in row))


def export_view(model_admin: ModelAdmin) -> View:
    """The list as the staff member filtered and searched it, as CSV (streamed) or XLSX (openpyxl)."""

    def view(request: HttpRequest, file_format: str) -> HttpResponseBase:
        if file_format not in {"csv", "xlsx"} or not may(request.user, Duty.VIEW):
            raise Http404
        try:
            changelist: ChangeList = model_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # Filter values the list cannot apply: answered as the list itself answers them.
            if ERROR_FLAG in request.GET:
                return SimpleTemplateResponse("admin/invalid_setup.html", {"title": _("数据库错误")})
            return redirect(f"{reverse('admin:registration_application_changelist')}?{ERROR_FLAG}=1")
        queryset = changelist.get_queryset(request)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if file_format == "csv":
            response = StreamingHttpResponse(_csv_lines(export_rows(queryset)), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.csv"'
            return response
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("报名信息"))
        sheet.append([label for _key, label in EXPORT_COLUMNS])
        for row in export_rows(queryset):
            sheet.append(safe_row(row))
        # Written to a temporary file, not memory: a district's list can run to many thousands of rows.
        # FileResponse closes the file once it is sent.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        workbook.save(handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"applications-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    return view


def _image(request: HttpRequest, upload: Photo | MaterialFile, name: str) -> HttpResponseBase:
    if upload.status != UploadStatus.ACCEPTED:
        raise Http404
    thumbnail = getattr(upload, "thumbnail_key", "")
    key = thumbnail if request.GET.get("thumb") and thumbnail else upload.key
    return private_files.image_response(key, download_name=name)


def photo_view(model_admin: ModelAdmin) -> View:
    def view(request: HttpRequest, application_id: int) -> HttpResponseBase:
        application = model_admin.get_queryset(request).filter(pk=application_id).first()
        photo = Photo.objects.filter(application=application).first() if application else None
        if photo is None:
            raise Http404
        return _image(request, photo, f"photo-{application_id}.jpg")

    return view


def material_view(model_admin: ModelAdmin) -> View:
    def view(request: HttpRequest, application_id: int, file_id: int) -> HttpResponseBase:
        application = model_admin.get_queryset(request).filter(pk=application_id).first()
        material = MaterialFile.objects.filter(application=application, pk=file_id).first() if application else None
        if material is None:
            raise Http404
        return _image(request, material, f"material-{file_id}.jpg")

    return view


def back_to_change(application_id: int) -> HttpResponse:
    return redirect("admin:registration_application_change", application_id)


def flash_portal_error(request: HttpRequest, error: PortalError) -> None:
    details = [text for texts in error.fields.values() for text in texts]
    messages.error(request, " ".join([str(error.message), *details]))
