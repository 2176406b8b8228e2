"""Reads of photos and proof materials, and who may see a stored file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from registration.imaging import ImageRules
from registration.material_audiences import Case, category_group, slot_expected
from registration.models import MaterialSlot, User
from registration.models.application import Application
from registration.models.files import MaterialFile, Photo, UploadStatus
from registration.scope import applications_in_scope
from registration.selectors.applications import history_record
from wecan.errors import InvalidState, NotFound

StoredFile = TypeVar("StoredFile", Photo, MaterialFile)


@dataclass(frozen=True)
class SlotFiles:
    slot: MaterialSlot
    files: list[MaterialFile]

    @property
    def full(self) -> bool:
        return len(self.files) >= self.slot.max_files


def file_visible_to(user: User | AnonymousUser, file: Photo | MaterialFile) -> bool:
    """Whether ``user`` may see the stored file: its candidate, or a staff member whose scope
    (``registration.scope``: administrators, and the roles that confirm and review) holds the file's
    application. Finance staff see no photo or scan."""
    if not user.is_authenticated:
        return False
    owner_id = file.candidate_id if isinstance(file, Photo) else file.application.candidate_id
    if owner_id == user.pk:
        return True
    application_id = file.application_id
    if application_id is None:
        return False
    return applications_in_scope(user).filter(pk=application_id).exists()


def application_photo(*, application: Application) -> Photo | None:
    return Photo.objects.filter(application=application).first()


def account_photo(*, candidate: User) -> Photo | None:
    """The account's 基本照片, which an application may reuse (确认使用照片)."""
    return Photo.objects.filter(candidate=candidate, application__isnull=True, status=UploadStatus.ACCEPTED).first()


def material_slots(*, application: Application) -> list[SlotFiles]:
    """The district's slots in their order, each with the application's files in it."""
    slots = list(MaterialSlot.objects.filter(district_id=application.district_id).order_by("position", "code"))
    files: dict[int, list[MaterialFile]] = {slot.pk: [] for slot in slots}
    for material in MaterialFile.objects.filter(application=application, slot__in=slots).order_by("id"):
        files[material.slot_id].append(material)
    return [SlotFiles(slot=slot, files=files[slot.pk]) for slot in slots]


def any_pending(slots: list[SlotFiles]) -> bool:
    return any(material.status == UploadStatus.PENDING for entry in slots for material in entry.files)


def _shown(user: User | AnonymousUser, file: StoredFile | None) -> StoredFile:
    if file is None or not file_visible_to(user, file):
        raise NotFound()
    return file


def photo_for_viewer(*, user: User | AnonymousUser, application_id: int) -> Photo:
    """The application's photo for someone allowed to see it; anyone else gets ``NotFound``."""
    photo = Photo.objects.filter(application_id=application_id).first()
    return _shown(user, photo)


def account_photo_for_viewer(*, user: User | AnonymousUser) -> Photo:
    if not user.is_authenticated:
        raise NotFound()
    return _shown(user, account_photo(candidate=user))


def material_for_viewer(*, user: User | AnonymousUser, application_id: int, file_id: int) -> MaterialFile:
    """One file of an application for someone allowed to see it; anyone else gets ``NotFound``."""
    material = (
        MaterialFile.objects.select_related("application", "slot")
        .filter(application_id=application_id, pk=file_id)
        .first()
    )
    return _shown(user, material)


def require_viewable(file: Photo | MaterialFile) -> None:
    """Only a file that passed its check is shown: what was refused may not be an image at all."""
    if file.status != UploadStatus.ACCEPTED:
        raise InvalidState(
            _("文件正在检查，请稍候。") if file.status == UploadStatus.PENDING else _("文件未通过检查，不能预览。")
        )


def upload_bounds(*, rules: ImageRules) -> dict[str, Any]:
    """What a page or client aims for before uploading: the rules of this exam's photo or materials.

    The rules themselves live on the exam (``services.files.photo_rules``/``material_rules``); this
    only shows them, so a browser that shrinks an image aims where the server's check will accept.
    """
    bounds: dict[str, Any] = {
        "min_bytes": rules.min_bytes,
        "max_bytes": rules.max_bytes,
        "max_upload_bytes": settings.UPLOAD_MAX_FILE_BYTES,
        "min_width": rules.min_width,
        "min_height": rules.min_height,
        "aspect_ratio": None,
    }
    if rules.proportions is not None:
        bounds["aspect_ratio"] = f"{rules.proportions.numerator}:{rules.proportions.denominator}"
    return bounds


def candidate_slots(*, application: Application) -> tuple[list[SlotFiles], list[SlotFiles]]:
    """The district's slots split in two: those the candidate's case asks for (or that hold a file
    already), in order, and the rest, which the materials page folds.

    The case is read from the application alone; a changed post or a special policy is declared to
    staff (review), so those slots stay among the rest until a file is put in them.
    """
    slots = material_slots(application=application)
    specialty = application.specialty
    degree = application.degree_record
    case = Case(
        group=category_group(specialty.category) if specialty else None,
        level=specialty.level if specialty else "",
        education=degree.education if degree else application.highest_education,
        residency=application.residency_certificate_month is not None,
        changed_post=False,
        history=specialty is not None and history_record(application=application, specialty=specialty) is not None,
        special=False,
    )
    mine = [entry for entry in slots if entry.files or slot_expected(entry.slot.who, case)]
    chosen = {entry.slot.pk for entry in mine}
    return mine, [entry for entry in slots if entry.slot.pk not in chosen]
