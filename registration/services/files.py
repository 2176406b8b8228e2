"""Writes for the photo and the proof materials: upload, reuse, replace, delete, finalize, and the
worker's verdict on each upload.

Candidate operations lock the application row (so parallel uploads to one slot cannot pass its
``max_files``), refuse outside the editable states and the content window, store the bytes under a
key of our own, write an audit event and queue the validation task on commit. The verdict functions
are idempotent: a second run finds the upload decided and changes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from fractions import Fraction
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration import private_files
from registration.imaging import ImageRules, Verdict, check_material, check_photo
from registration.models import Exam, MaterialSlot, User
from registration.models.application import Application, PhotoStatus
from registration.models.files import CheckedUpload, MaterialFile, Photo, PhotoSource, UploadStatus
from registration.services.applications import _issue_verification_code, _locked, _record
from registration.windows import require_content_open
from registration.workflow import EDITABLE_STATES
from wecan.errors import InvalidInput, InvalidState, NotFound, PortalError

# 一寸照片: 5 wide to 7 high.
PHOTO_PROPORTIONS = Fraction(5, 7)
PHOTO_PROPORTIONS_TOLERANCE = 0.06


class TooManyFiles(PortalError):
    code = "too_many_files"
    default_message = gettext_lazy("该项材料的文件数已达上限。")


def photo_rules(exam: Exam) -> ImageRules:
    return ImageRules(
        min_bytes=exam.photo_min_bytes,
        max_bytes=exam.photo_max_bytes,
        max_pixels=settings.UPLOAD_MAX_PIXELS,
        min_width=exam.photo_min_width,
        min_height=exam.photo_min_height,
        proportions=PHOTO_PROPORTIONS,
        proportions_tolerance=PHOTO_PROPORTIONS_TOLERANCE,
        modes=frozenset({"RGB"}),
        white_background=True,
    )


def material_rules(exam: Exam) -> ImageRules:
    # Scans in grey are as good as colour ones; CMYK is refused (browsers show it wrongly).
    return ImageRules(
        min_bytes=exam.material_min_bytes,
        max_bytes=exam.material_max_bytes,
        max_pixels=settings.UPLOAD_MAX_PIXELS,
        modes=frozenset({"RGB", "L"}),
    )


def _queue(kind: Literal["photo", "material"], upload_id: int) -> None:
    # Imported here: the tasks module calls back into this one.
    from registration import tasks

    task = tasks.validate_photo if kind == "photo" else tasks.validate_material
    # The upload is saved by then: a broker that is away (or, run in-process, a check that fails)
    # is logged, not turned into an error for the candidate; the sweep queues the upload again.
    transaction.on_commit(lambda: task.delay(upload_id), robust=True)


def _own_editable(application_id: int, actor: User) -> Application:
    """The actor's application, locked, in a state and a window where its files may change."""
    application = _locked(application_id)
    if application.candidate_id != actor.pk:
        raise NotFound()
    if application.status not in EDITABLE_STATES:
        raise InvalidState(_("报名信息已提交，不能更改照片或证明材料；如需修改请先撤回。"))
    require_content_open(application)
    return application


def _store(upload: CheckedUpload, data: bytes) -> None:
    """Stores the bytes and saves the row; the file does not outlive a row that failed to save."""
    private_files.put(upload.key, data)
    try:
        upload.full_clean()
        upload.save()
    except Exception:
        private_files.delete(upload.key)
        raise


def _delete_files_on_commit(*keys: str) -> None:
    transaction.on_commit(lambda: private_files.delete(*keys))


# ---- Photo --------------------------------------------------------------------------------------


def _set_photo(application: Application, photo: Photo, data: bytes, *, actor: User, action: str) -> Photo:
    previous = Photo.objects.select_for_update().filter(application=application).first()
    if previous is not None:
        # The account's 基本照片 is a row of its own: replacing the exam photo never touches it.
        _delete_files_on_commit(previous.key)
        previous.delete()
    _store(photo, data)
    application.photo_status = PhotoStatus.PENDING
    application.save(update_fields=["photo_status", "updated_at"])
    _record(application, action=action, actor=actor)
    _queue("photo", photo.pk)
    return photo


def _new_photo(application: Application, *, size: int, source: PhotoSource) -> Photo:
    token = uuid.uuid4()
    return Photo(
        token=token,
        candidate_id=application.candidate_id,
        application=application,
        source=source,
        key=f"photos/{token.hex}/upload.jpg",
        size=size,
        queued_at=timezone.now(),
    )


def photo_upload(*, application_id: int, data: bytes, actor: User) -> Photo:
    """更换考试照片: stores the upload as this application's photo (pending) and queues its check.

    Replaces the application's previous photo; the account's 基本照片 stays. Raises ``NotFound``
    for another candidate's application, ``InvalidState`` once submitted, ``WindowClosed`` outside
    the window.
    """
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        photo = _new_photo(application, size=len(data), source=PhotoSource.UPLOAD)
        return _set_photo(application, photo, data, actor=actor, action="photo_upload")


def photo_use_account(*, application_id: int, actor: User) -> Photo:
    """确认使用照片: the account's 基本照片 becomes this application's photo, checked against this
    exam's bounds like an upload. ``InvalidState`` when the account has no photo."""
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        account = Photo.objects.filter(
            candidate_id=application.candidate_id, application__isnull=True, status=UploadStatus.ACCEPTED
        ).first()
        if account is None:
            raise InvalidState(_("您还没有基本照片，请上传照片。"))
        data = private_files.read(account.key)
        photo = _new_photo(application, size=len(data), source=PhotoSource.ACCOUNT)
        return _set_photo(application, photo, data, actor=actor, action="photo_use_account")


def photo_validate(*, photo_id: int) -> None:
    """The worker's check of a pending photo; a photo already decided, replaced or gone is left alone."""
    photo = Photo.objects.select_related("application__exam").filter(pk=photo_id, status=UploadStatus.PENDING).first()
    if photo is None or photo.application is None:
        return
    # Decoded outside any lock: the candidate's other operations need not wait for it.
    verdict = _verdict(photo, check_photo, photo_rules(photo.application.exam))
    _apply_photo_verdict(photo_id, verdict)


def _verdict(upload: CheckedUpload, check: Callable[[bytes, ImageRules], Verdict], rules: ImageRules) -> Verdict:
    try:
        data = private_files.read(upload.key)
    except FileNotFoundError:
        return Verdict(accepted=False, code="missing", reason=_("文件读取失败，请重新上传。"))
    return check(data, rules)


def _decide(upload: CheckedUpload, verdict: Verdict) -> None:
    upload.status = UploadStatus.ACCEPTED if verdict.accepted else UploadStatus.REJECTED
    upload.reason_code = verdict.code
    upload.reason = verdict.reason[:300]
    upload.width = verdict.width
    upload.height = verdict.height
    upload.checked_at = timezone.now()


def _apply_photo_verdict(photo_id: int, verdict: Verdict) -> None:
    with transaction.atomic():
        application_id = Photo.objects.filter(pk=photo_id).values_list("application_id", flat=True).first()
        if application_id is None:
            return
        # The application first, then the photo: the order every candidate operation locks in.
        application = _locked(application_id)
        photo = Photo.objects.select_for_update().filter(pk=photo_id, status=UploadStatus.PENDING).first()
        if photo is None or photo.application_id != application.pk:
            return
        _decide(photo, verdict)
        if verdict.accepted:
            upload_key = photo.key
            photo.key = f"photos/{photo.token.hex}/photo.jpg"
            private_files.put(photo.key, verdict.output)
            # Only the re-encoded photo is kept: the upload's metadata goes with it.
            _delete_files_on_commit(upload_key)
            # The printed form shows the photo: a new one makes older printouts stale.
            _issue_verification_code(application)
        photo.full_clean()
        photo.save()
        application.photo_status = photo.status
        application.save(update_fields=["photo_status", "verification_code", "updated_at"])
        _record(application, action=f"photo_{photo.status}", actor=None, reason=verdict.reason)
        if verdict.accepted:
            _keep_as_account_photo(photo, verdict)


def _keep_as_account_photo(photo: Photo, verdict: Verdict) -> None:
    """The candidate's first accepted photo is kept as the account's 基本照片, for later exams."""
    if Photo.objects.filter(candidate_id=photo.candidate_id, application__isnull=True).exists():
        return
    token = uuid.uuid4()
    now = timezone.now()
    account = Photo(
        token=token,
        candidate_id=photo.candidate_id,
        source=PhotoSource.ACCOUNT,
        status=UploadStatus.ACCEPTED,
        key=f"photos/{token.hex}/photo.jpg",
        size=len(verdict.output),
        width=verdict.width,
        height=verdict.height,
        queued_at=now,
        checked_at=now,
    )
    private_files.put(account.key, verdict.output)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        # Another exam's photo became the 基本照片 at the same moment.
        private_files.delete(account.key)


# ---- Proof materials ----------------------------------------------------------------------------


def _require_online(application: Application) -> None:
    if not application.district.online_confirmation:
        raise InvalidState(_("本考区现场确认报名，无需上传证明材料。"))


def _materials_changed(application: Application, *, actor: User, action: str, reason: str) -> None:
    """Any change after 上传全部证明材料 takes the materials back to unfinished. The 验证码 stays:
    materials are not printed on the form, so they are no change of the 报名信息 (seed 002 line 37),
    and a signed form uploaded after a rejection still carries the current code."""
    if application.materials_finalized:
        application.materials_finalized = False
        application.save(update_fields=["materials_finalized", "updated_at"])
    _record(application, action=action, actor=actor, reason=reason)


def _new_material(application: Application, slot: MaterialSlot, data: bytes) -> MaterialFile:
    token = uuid.uuid4()
    material = MaterialFile(
        token=token,
        application=application,
        slot=slot,
        key=f"materials/{token.hex}/material.jpg",
        size=len(data),
        queued_at=timezone.now(),
    )
    _store(material, data)
    _queue("material", material.pk)
    return material


def material_upload(*, application_id: int, slot_code: str, data: bytes, actor: User) -> MaterialFile:
    """Adds a file to a slot of the application's district and queues its check.

    Refuses with ``TooManyFiles`` (400 ``too_many_files``) when the slot holds ``max_files`` files
    already; the application row is locked, so parallel uploads cannot pass the limit together.
    """
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        _require_online(application)
        slot = MaterialSlot.objects.filter(district_id=application.district_id, code=slot_code).first()
        if slot is None:
            raise InvalidInput(fields={"slot": [_("本考区没有此项证明材料。")]})
        if MaterialFile.objects.filter(application=application, slot=slot).count() >= slot.max_files:
            raise TooManyFiles(
                _("“%(title)s”最多允许上传%(count)s个文件，请先删除不需要的文件。")
                % {"title": slot.title, "count": slot.max_files}
            )
        material = _new_material(application, slot, data)
        _materials_changed(application, actor=actor, action="material_upload", reason=slot.code)
        return material


def _locked_material(application: Application, file_id: int) -> MaterialFile:
    material = (
        MaterialFile.objects.select_for_update(of=("self",))
        .select_related("slot")
        .filter(application=application, pk=file_id)
        .first()
    )
    if material is None:
        raise NotFound()
    return material


def material_replace(*, application_id: int, file_id: int, data: bytes, actor: User) -> MaterialFile:
    """Puts a new file in the place of one of the application's files (after a confirmation
    rejection: the refused scan); the slot's count does not change. Returns the new file."""
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        _require_online(application)
        previous = _locked_material(application, file_id)
        _delete_files_on_commit(previous.key, previous.thumbnail_key)
        slot = previous.slot
        previous.delete()
        material = _new_material(application, slot, data)
        _materials_changed(application, actor=actor, action="material_replace", reason=slot.code)
        return material


def material_delete(*, application_id: int, file_id: int, actor: User) -> None:
    """Deletes one of the application's files, while the application may still change."""
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        material = _locked_material(application, file_id)
        _delete_files_on_commit(material.key, material.thumbnail_key)
        material.delete()
        _materials_changed(application, actor=actor, action="material_delete", reason=material.slot.code)


def materials_discard(*, application: Application) -> int:
    """Drops every proof-material file of ``application`` (修改考区: its slots were the old district's).

    The caller holds the application's row lock and changes the 验证码; storage is cleaned on commit.
    """
    materials = list(application.material_files.select_for_update())
    for material in materials:
        _delete_files_on_commit(material.key, material.thumbnail_key)
    MaterialFile.objects.filter(pk__in=[material.pk for material in materials]).delete()
    return len(materials)


def materials_finalize(*, application_id: int, actor: User) -> Application:
    """上传全部证明材料: needs at least one accepted file and none still being checked. Idempotent."""
    with transaction.atomic():
        application = _own_editable(application_id, actor)
        _require_online(application)
        files = MaterialFile.objects.filter(application=application, slot__district_id=application.district_id)
        if files.filter(status=UploadStatus.PENDING).exists():
            raise InvalidState(_("还有证明材料正在检查，请稍候再点击“上传全部证明材料”。"))
        if not files.filter(status=UploadStatus.ACCEPTED).exists():
            raise InvalidState(_("请至少上传一项合格的证明材料。"))
        if not application.materials_finalized:
            application.materials_finalized = True
            application.save(update_fields=["materials_finalized", "updated_at"])
            _record(application, action="materials_finalize", actor=actor)
    return application


def material_validate(*, file_id: int) -> None:
    """The worker's check of a pending material; one already decided or gone is left alone."""
    material = (
        MaterialFile.objects.select_related("application__exam").filter(pk=file_id, status=UploadStatus.PENDING).first()
    )
    if material is None:
        return
    verdict = _verdict(material, check_material, material_rules(material.application.exam))
    _apply_material_verdict(file_id, verdict)


def _apply_material_verdict(file_id: int, verdict: Verdict) -> None:
    with transaction.atomic():
        application_id = MaterialFile.objects.filter(pk=file_id).values_list("application_id", flat=True).first()
        if application_id is None:
            return
        application = _locked(application_id)
        material = (
            MaterialFile.objects.select_for_update(of=("self",))
            .select_related("slot")
            .filter(pk=file_id, status=UploadStatus.PENDING)
            .first()
        )
        if material is None:
            return
        _decide(material, verdict)
        if verdict.accepted:
            upload_key = material.key
            material.key = f"materials/{material.token.hex}/scan.jpg"
            private_files.put(material.key, verdict.output)
            # Only the re-encoded scan is kept: the upload's metadata (GPS, camera, comments) goes with it.
            _delete_files_on_commit(upload_key)
            material.thumbnail_key = f"materials/{material.token.hex}/thumbnail.jpg"
            private_files.put(material.thumbnail_key, verdict.thumbnail)
        material.full_clean()
        material.save()
        _record(
            application,
            action=f"material_{material.status}",
            actor=None,
            reason=f"{material.slot.code} {verdict.reason}".strip(),
        )


# ---- The sweep ----------------------------------------------------------------------------------


def uploads_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Queues again every upload pending longer than ``UPLOAD_REQUEUE_AFTER_MINUTES`` (its task was
    lost); one queued ``UPLOAD_MAX_ATTEMPTS`` times is rejected so that the candidate can upload
    again. Returns how many uploads it touched."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.UPLOAD_REQUEUE_AFTER_MINUTES)
    given_up = Verdict(accepted=False, code="not_checked", reason=_("系统未能完成检查，请重新上传。"))
    touched = 0
    kinds: list[tuple[type[Photo] | type[MaterialFile], Literal["photo", "material"]]] = [
        (Photo, "photo"),
        (MaterialFile, "material"),
    ]
    for model, kind in kinds:
        stale = model.objects.filter(status=UploadStatus.PENDING, queued_at__lt=cutoff)
        for upload_id, attempts in stale.values_list("pk", "attempts")[:500]:
            if attempts >= settings.UPLOAD_MAX_ATTEMPTS:
                if kind == "photo":
                    _apply_photo_verdict(upload_id, given_up)
                else:
                    _apply_material_verdict(upload_id, given_up)
            else:
                with transaction.atomic():
                    # Another sweep or the worker may hold it: skip rather than wait.
                    upload = (
                        model.objects.select_for_update(skip_locked=True)
                        .filter(pk=upload_id, status=UploadStatus.PENDING, queued_at__lt=cutoff)
                        .first()
                    )
                    if upload is None:
                        continue
                    upload.attempts += 1
                    upload.queued_at = now
                    upload.save(update_fields=["attempts", "queued_at"])
                    _queue(kind, upload_id)
            touched += 1
    return touched
