"""Staff pages beside the application list: dashboard, on-site confirmation, export, private images."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
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

from registration import private_files
from registration.models.files import MaterialFile, Photo, UploadStatus
from registration.selectors.files import application_photo
from review.errors import StaleForm
from review.exports import CONTENT_TYPES, csv_lines, write_xlsx
from review.models import ExportFormat
from review.scope import Duty, may
from review.selectors import application_by_number, export_job_of, export_rows, staff_dashboard
from review.services.decisions import application_confirm_by_code
from review.services.jobs import application_export_start
from review.signed_forms import parse_form_code
from wecan.errors import PortalError

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
    # Seed 003 line 761: where the district takes no online payment the fee is paid here, at confirmation.
    fee_receipt_number = forms.CharField(label=gettext_lazy("现场缴费收据号"), required=False, max_length=40)

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
                    fee_receipt_number=form.cleaned_data["fee_receipt_number"],
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


# A list longer than this is written by a background job, with its progress on the list page.
EXPORT_DIRECT_LIMIT = 2000


def export_view(model_admin: ModelAdmin) -> View:
    """The list as the staff member filtered and searched it, as CSV (streamed) or XLSX (openpyxl).

    A list of up to ``EXPORT_DIRECT_LIMIT`` rows is answered at once (GET); a longer one is started as
    a job (POST) whose progress and file the list page then shows.
    """

    def view(request: HttpRequest, file_format: str) -> HttpResponseBase:
        if file_format not in ExportFormat.values or not may(request.user, Duty.VIEW):
            raise Http404
        changelist_url = reverse("admin:registration_application_changelist")
        try:
            changelist: ChangeList = model_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # Filter values the list cannot apply: answered as the list itself answers them.
            if ERROR_FLAG in request.GET:
                return SimpleTemplateResponse("admin/invalid_setup.html", {"title": _("数据库错误")})
            return redirect(f"{changelist_url}?{ERROR_FLAG}=1")
        queryset = changelist.get_queryset(request)
        back = f"{changelist_url}?{request.GET.urlencode()}" if request.GET else changelist_url
        if request.method == "POST":
            try:
                job = application_export_start(
                    actor=request.user,  # type: ignore[arg-type]
                    application_ids=list(queryset.values_list("pk", flat=True)),
                    file_format=ExportFormat(file_format),
                )
            except PortalError as error:
                messages.error(request, str(error.message))
            else:
                messages.info(request, _("已开始导出%(count)d条报名信息，完成后可在本页下载。") % {"count": job.total})
            return redirect(back)
        if queryset.count() > EXPORT_DIRECT_LIMIT:
            messages.warning(
                request,
                _("超过%(limit)d条的名单请用“后台导出”，完成后在本页下载。") % {"limit": EXPORT_DIRECT_LIMIT},
            )
            return redirect(back)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if file_format == ExportFormat.CSV:
            response = StreamingHttpResponse(
                csv_lines(export_rows(queryset)), content_type=CONTENT_TYPES[ExportFormat.CSV]
            )
            response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.csv"'
            return response
        # Written to a temporary file, not memory; FileResponse closes the file once it is sent.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        write_xlsx(export_rows(queryset), handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"applications-{stamp}.xlsx",
            content_type=CONTENT_TYPES[ExportFormat.XLSX],
        )

    return view


def export_download_view(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The file of a finished export, to the staff member who started it and to nobody else (404)."""
    job = export_job_of(user=request.user, job_id=job_id)
    # Staff who lost the right to view applications since the export lose its file too.
    if job is None or not job.downloadable or not may(request.user, Duty.VIEW):
        raise Http404
    return private_files.download_response(
        job.file_key, download_name=job.file_name, content_type=CONTENT_TYPES[ExportFormat(job.file_format)]
    )


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
