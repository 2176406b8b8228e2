"""Reading the barcode of an uploaded signed application form (申请表), for staff to see its version."""

from __future__ import annotations

from django.db import transaction

from registration import private_files
from registration.models import MaterialFile
from registration.models.files import UploadStatus
from review.models import SignedFormCheck
from review.signed_forms import read_form_code, signed_form_slot_code


def is_signed_form(material: MaterialFile) -> bool:
    return material.status == UploadStatus.ACCEPTED and material.slot.code == signed_form_slot_code()


def signed_form_check(*, material_id: int) -> SignedFormCheck | None:
    """Reads the 网报号 and 验证码 from the barcode of an accepted file in the signed-form slot and keeps
    them (blank when no barcode could be read); running again reads again. ``None`` for other files."""
    material = MaterialFile.objects.select_related("slot").filter(pk=material_id).first()
    if material is None or not is_signed_form(material):
        return None
    number, code = read_form_code(private_files.read(material.key)) or ("", "")
    with transaction.atomic():
        check, _created = SignedFormCheck.objects.select_for_update().get_or_create(material_file=material)
        check.number, check.code = number, code
        check.full_clean()
        check.save()
    return check
