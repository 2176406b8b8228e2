"""The candidate's photo page (上传照片) and proof materials page (上传材料), and the private images.

Upload views put the size cap in before the body is read: they are exempt from the CSRF middleware
(which would read the body first) and check the token themselves once the cap is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from registration import private_files
from registration.imaging import ImageRules
from registration.models import Exam
from registration.models.application import Application
from registration.models.files import UploadStatus
from registration.selectors.files import (
    account_photo,
    account_photo_for_viewer,
    any_pending,
    application_photo,
    candidate_slots,
    material_for_viewer,
    photo_for_viewer,
    require_viewable,
    upload_bounds,
)
from registration.services.files import (
    material_delete,
    material_replace,
    material_rules,
    material_upload,
    materials_finalize,
    photo_rules,
    photo_upload,
    photo_use_account,
)
from registration.uploads import cap_uploads, uploaded_bytes
from registration.views.applications import _own, _page
from wecan.errors import PortalError

View = Callable[..., HttpResponse]


def _report(request: HttpRequest, error: PortalError) -> None:
    messages.error(request, str(error.message))
    for texts in error.fields.values():
        for text in texts:
            messages.error(request, text)


def _too_large(request: HttpRequest, rules: ImageRules) -> None:
    messages.error(
        request,
        _("文件超过了%(limit)s的上传上限：请选择JPG图片，本页会先把它压缩到%(min)s–%(max)s再上传。")
        % {
            "limit": filesizeformat(settings.UPLOAD_MAX_FILE_BYTES),
            "min": filesizeformat(rules.min_bytes),
            "max": filesizeformat(rules.max_bytes),
        },
    )


def _capped(view: View, render: Callable[..., HttpResponse], rules: Callable[[Exam], ImageRules]) -> View:
    """The upload cap, then the CSRF check, then the view; an oversized body is answered 413.

    The page answering 413 leaves out the reasons of earlier attempts: beside the new refusal they
    would read as the reason for this one.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @login_required
    def wrapper(request: HttpRequest, application_id: int, **kwargs: Any) -> HttpResponse:
        cap_uploads(request)
        try:
            return protected(request, application_id, **kwargs)
        except RequestDataTooBig:
            application = _own(request, application_id)
            _too_large(request, rules(application.exam))
            response = render(request, application, refused_upload=True)
            response.status_code = 413
            return response

    return wrapper


# ---- Photo --------------------------------------------------------------------------------------


def _photo_page(request: HttpRequest, application: Application, *, refused_upload: bool = False) -> HttpResponse:
    photo = application_photo(application=application)
    rules = photo_rules(application.exam)
    return _page(
        request,
        "files/photo.html",
        application,
        photo=photo,
        account_photo=account_photo(candidate=application.candidate),
        rules=rules,
        bounds=upload_bounds(rules=rules),
        refused_upload=refused_upload,
        min_kb=application.exam.photo_min_bytes // 1024,
        max_kb=application.exam.photo_max_bytes // 1024,
        pending=photo is not None and photo.status == UploadStatus.PENDING,
    )


def _photo(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    if request.method == "POST":
        try:
            data = uploaded_bytes(request.FILES.get("file"))
            photo_upload(application_id=application.pk, data=data, actor=request.user)  # type: ignore[arg-type]
        except PortalError as error:
            _report(request, error)
        else:
            messages.success(request, _("照片已上传，正在检查。"))
            return redirect("application-photo", application_id=application.pk)
    return _photo_page(request, _own(request, application_id))


photo = _capped(_photo, _photo_page, photo_rules)


@login_required
@require_POST
def photo_use_account_view(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        photo_use_account(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        _report(request, error)
    else:
        messages.success(request, _("已确认使用基本照片，正在检查。"))
    return redirect("application-photo", application_id=application.pk)


# ---- Materials ----------------------------------------------------------------------------------


def _materials_page(request: HttpRequest, application: Application, *, refused_upload: bool = False) -> HttpResponse:
    mine, others = candidate_slots(application=application)
    slots = mine + others
    return _page(
        request,
        "files/materials.html",
        application,
        slots=slots,
        my_slots=mine,
        other_slots=others,
        bounds=upload_bounds(rules=material_rules(application.exam)),
        refused_upload=refused_upload,
        pending=any_pending(slots),
        min_kb=application.exam.material_min_bytes // 1024,
        max_kb=application.exam.material_max_bytes // 1024,
    )


def _materials(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    if request.method == "POST":
        try:
            data = uploaded_bytes(request.FILES.get("file"))
            material_upload(
                application_id=application.pk,
                slot_code=request.POST.get("slot", ""),
                data=data,
                actor=request.user,  # type: ignore[arg-type]
            )
        except PortalError as error:
            _report(request, error)
        else:
            messages.success(request, _("材料已上传，正在检查。"))
            return redirect("application-materials", application_id=application.pk)
    return _materials_page(request, _own(request, application_id))


materials = _capped(_materials, _materials_page, material_rules)


def _replace(request: HttpRequest, application_id: int, file_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("application-materials", application_id=application_id)
    application = _own(request, application_id)
    try:
        data = uploaded_bytes(request.FILES.get("file"))
        material_replace(application_id=application.pk, file_id=file_id, data=data, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        _report(request, error)
    else:
        messages.success(request, _("材料已更换，正在检查。"))
    return redirect("application-materials", application_id=application.pk)


replace = _capped(_replace, _materials_page, material_rules)


@login_required
@require_POST
def delete(request: HttpRequest, application_id: int, file_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        material_delete(application_id=application.pk, file_id=file_id, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        _report(request, error)
    else:
        messages.success(request, _("材料已删除。"))
    return redirect("application-materials", application_id=application.pk)


@login_required
@require_POST
def finalize(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        materials_finalize(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        _report(request, error)
        return redirect("application-materials", application_id=application.pk)
    messages.success(request, _("证明材料已全部上传，请核对后提交报名信息。"))
    return redirect("application-review", application_id=application.pk)


# ---- Private images -----------------------------------------------------------------------------


def _image(lookup: Callable[[], Any], key: str, name: str) -> HttpResponseBase:
    try:
        stored = lookup()
        require_viewable(stored)
    except PortalError:
        raise Http404 from None
    return private_files.image_response(getattr(stored, key), download_name=name)


@login_required
@require_GET
def photo_image(request: HttpRequest, application_id: int) -> HttpResponseBase:
    return _image(
        lambda: photo_for_viewer(user=request.user, application_id=application_id), "key", f"photo-{application_id}.jpg"
    )


@login_required
@require_GET
def account_photo_image(request: HttpRequest) -> HttpResponseBase:
    return _image(lambda: account_photo_for_viewer(user=request.user), "key", "photo.jpg")


@login_required
@require_GET
def material_image(request: HttpRequest, application_id: int, file_id: int) -> HttpResponseBase:
    return _image(
        lambda: material_for_viewer(user=request.user, application_id=application_id, file_id=file_id),
        "key",
        f"material-{file_id}.jpg",
    )


@login_required
@require_GET
def material_thumbnail(request: HttpRequest, application_id: int, file_id: int) -> HttpResponseBase:
    return _image(
        lambda: material_for_viewer(user=request.user, application_id=application_id, file_id=file_id),
        "thumbnail_key",
        f"thumbnail-{file_id}.jpg",
    )


urlpatterns = [
    path("account/photo/image/", account_photo_image, name="account-photo-image"),
    path("applications/<int:application_id>/photo/", photo, name="application-photo"),
    path(
        "applications/<int:application_id>/photo/use-account/",
        photo_use_account_view,
        name="application-photo-use-account",
    ),
    path("applications/<int:application_id>/photo/image/", photo_image, name="application-photo-image"),
    path("applications/<int:application_id>/materials/", materials, name="application-materials"),
    path("applications/<int:application_id>/materials/finalize/", finalize, name="application-materials-finalize"),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/replace/",
        replace,
        name="application-material-replace",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/delete/",
        delete,
        name="application-material-delete",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/image/",
        material_image,
        name="application-material-image",
    ),
    path(
        "applications/<int:application_id>/materials/<int:file_id>/thumbnail/",
        material_thumbnail,
        name="application-material-thumbnail",
    ),
]
