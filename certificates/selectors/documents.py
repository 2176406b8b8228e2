"""Reads for the application form (申请表) and the admission ticket (准考证): whether one can be made
now, which version is current, and what it shows."""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import cache
from typing import Any

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from certificates.barcodes import code128_png, qr_png
from certificates.models import ApplicationDocument, DocumentKind, DocumentStatus
from certificates.pdf import TEMPLATES_DIR, print_photo, resource_url
from certificates.selectors.arrangement import application_seat, application_sessions
from registration import private_files
from registration.models import Subject, User
from registration.models.application import Application, PhotoStatus
from registration.models.files import Photo, UploadStatus
from registration.pii import decrypt_id_number
from registration.sections import SECTION_KEYS, SECTIONS
from registration.selectors.applications import application_is_registered, history_record
from registration.windows import Window, require_open
from wecan.errors import InvalidState, NotFound, PortalError

TEMPLATES = {
    DocumentKind.APPLICATION_FORM: "certificates/documents/application_form.html",
    DocumentKind.ADMISSION_TICKET: "certificates/documents/admission_ticket.html",
}
STYLESHEETS = {
    DocumentKind.APPLICATION_FORM: "certificates/documents/application_form.css",
    DocumentKind.ADMISSION_TICKET: "certificates/documents/admission_ticket.css",
}
# The photo box of both documents: 一寸 (25 × 35 mm), a little smaller to leave the cell a margin.
PHOTO_WIDTH_MM = 24.0
PHOTO_HEIGHT_MM = 33.6
PHOTO_RESOURCE = "photo.jpg"
BARCODE_RESOURCE = "barcode.png"
QR_RESOURCE = "qr.png"


class DocumentNotReady(PortalError):
    """The document cannot be made now; ``fields`` say what is missing (sections, photo)."""

    code = "document_not_ready"
    status = status.HTTP_409_CONFLICT
    default_message = gettext_lazy("暂时无法生成此文书。")


class PhotoUnavailable(Exception):
    """The application has no accepted photo whose file can be read."""


# Only the exam and the candidate are joined: the planner's time grows fast with each join (nine
# took 12 ms to plan on PostgreSQL 15), while the other rows come by key in a fraction of a ms each.
def candidate_application(*, candidate: User, application_id: int) -> Application:
    """The candidate's own application; anyone else's is ``NotFound``."""
    try:
        return Application.objects.select_related("exam", "candidate").get(candidate=candidate, pk=application_id)
    except Application.DoesNotExist:
        raise NotFound() from None


def document_application(*, application_id: int) -> Application | None:
    """The application as the renderer reads it (any owner: the worker acts for the system)."""
    return (
        Application.objects.select_related("exam", "candidate")
        .prefetch_related(Prefetch("subjects", queryset=Subject.objects.order_by("code")))
        .filter(pk=application_id)
        .first()
    )


def ready_document(*, application: Application, kind: str, version: str) -> ApplicationDocument | None:
    return ApplicationDocument.objects.filter(
        application=application, kind=kind, version=version, status=DocumentStatus.READY
    ).first()


def _photo_problem(application: Application) -> str:
    problems: dict[str, str] = {
        PhotoStatus.MISSING: _("尚未上传照片，请先上传照片。"),
        PhotoStatus.PENDING: _("照片正在检查，请在照片检查合格后再打印。"),
        PhotoStatus.REJECTED: _("照片不合格，请重新上传照片。"),
    }
    return problems.get(application.photo_status, "")


def form_blockers(application: Application) -> dict[str, list[str]]:
    """What stops the form from being printed, by section or ``photo``; empty when it can be."""
    blockers: dict[str, list[str]] = {}
    for key in SECTION_KEYS:
        if getattr(application, f"{key}_saved_at") is None:
            blockers[key] = [_("“%(section)s”尚未填写。") % {"section": SECTIONS[key].title}]
    photo = _photo_problem(application)
    if photo:
        blockers["photo"] = [photo]
    return blockers


def require_form_ready(application: Application) -> None:
    blockers = form_blockers(application)
    if blockers:
        raise DocumentNotReady(_("报名信息填写完整、照片检查合格后才能打印报名表。"), fields=blockers)


def require_ticket_ready(application: Application, now: datetime.datetime | None = None) -> None:
    """A registered application (paid; approved where the district takes no online payment), inside
    the ticket window, with its photo: else ``InvalidState``, ``WindowClosed`` or ``DocumentNotReady``."""
    if not application_is_registered(application):
        if application.district.online_payment:
            message = _("当前状态为“%(status)s”，缴费成功后才能打印准考证。")
        else:
            message = _("当前状态为“%(status)s”，资格审核通过后才能打印准考证。")
        raise InvalidState(message % {"status": application.get_status_display()})
    require_open(application.exam, Window.TICKET, now)
    photo = _photo_problem(application)
    if photo:
        raise DocumentNotReady(_("准考证需要考生照片。"), fields={"photo": [photo]})


def require_ready(application: Application, kind: str) -> None:
    if kind == DocumentKind.APPLICATION_FORM:
        require_form_ready(application)
    else:
        require_ticket_ready(application)


def current_version(application: Application, kind: str) -> str:
    """The version of the document the application's content calls for now."""
    if kind == DocumentKind.APPLICATION_FORM:
        return application.verification_code
    facts = ticket_facts(application)
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def photo_bytes(application: Application) -> bytes:
    """The application's accepted photo from private storage; ``PhotoUnavailable`` when there is none."""
    photo = Photo.objects.filter(application=application, status=UploadStatus.ACCEPTED).first()
    if photo is None:
        raise PhotoUnavailable(_("没有检查合格的照片，请上传照片。"))
    try:
        return private_files.read(photo.key)
    except FileNotFoundError:
        raise PhotoUnavailable(_("照片文件读取失败，请重新上传照片。")) from None


@cache
def stylesheet(kind: str) -> str:
    return (TEMPLATES_DIR / STYLESHEETS[DocumentKind(kind)]).read_text(encoding="utf-8")


# ---- What the documents show -----------------------------------------------------------------


def _month(value: datetime.date | None) -> str:
    return value.strftime("%Y-%m") if value else ""


# How many characters of 9.5 pt type a line of each long value's cell holds on the form.
FORM_CELL_CHARACTERS = {
    "site": 9,
    "name": 9,
    "previous_specialty": 23,
    "specialty": 23,
    "registration_point": 13,
    "school": 23,
    "major": 23,
    "unit": 23,
}


def _fit(text: str, characters: int) -> str:
    """The type size class for ``text`` in a cell holding ``characters`` a line: normal for one
    line, ``fit-1`` (7.5 pt) up to about two lines of it, ``fit-2`` (6 pt) beyond."""
    if len(text) <= characters:
        return ""
    return "fit-1" if len(text) <= characters * 2.5 else "fit-2"


def _code_text(application: Application) -> str:
    return f"{application.number}-{application.verification_code}"


def _previous_sitting(application: Application) -> tuple[str, str]:
    """上一年度准考证号 and 上一年度报考专业及代码 of a history candidate (one who sat this same
    specialty last year and did not pass it, merged records included); blank for anyone else."""
    specialty = application.specialty
    record = history_record(application=application, specialty=specialty)
    if record is None or specialty is None:
        return "", ""
    return record.ticket_number, f"{specialty.name}（{record.specialty_code}）"


def printed_id_number(candidate: User) -> str:
    """The full ID number, for the candidate's own printed 申请表 and 准考证 only: the employer and the
    exam site check them against the ID card. Screens and lists keep showing it masked."""
    if not candidate.id_number_ciphertext:
        return candidate.id_number_masked
    return decrypt_id_number(candidate.id_number_ciphertext)


def form_context(application: Application) -> dict[str, Any]:
    """What the form shows: the application's sections in the seeds' table, with codes and photo."""
    candidate = application.candidate
    specialty = application.specialty
    record = application.degree_record
    taken = {subject.code for subject in application.subjects.all()}
    code_text = _code_text(application)
    previous_ticket, previous_specialty = _previous_sitting(application)
    nationality = application.foreign_nationality or application.nationality
    if application.unit is not None:
        unit = application.unit.name
    else:
        unit = _("其它（%(name)s）") % {"name": application.other_unit_name}
    context: dict[str, Any] = {
        "title": _("%(year)s年度卫生专业技术资格考试报名申请表") % {"year": application.exam.year},
        "number": application.number,
        "username": candidate.username,
        "verification_code": application.verification_code,
        "site": application.site.name if application.site else "",
        "barcode": resource_url(BARCODE_RESOURCE),
        "code_text": code_text,
        "qr_code": resource_url(QR_RESOURCE),
        "photo": resource_url(PHOTO_RESOURCE),
        "name": candidate.name,
        "gender": application.get_gender_display(),
        "birth_date": application.birth_date.isoformat() if application.birth_date else "",
        "id_type": candidate.get_id_type_display(),
        "id_number": printed_id_number(candidate),
        "ethnicity": application.ethnicity,
        "nationality": nationality,
        "previous_ticket": previous_ticket,
        "previous_specialty": previous_specialty,
        "subjects": [
            {"name": subject.name, "taken": _("是") if subject.code in taken else _("否")}
            for subject in Subject.objects.order_by("code")
        ],
        "level": specialty.level if specialty else "",
        "specialty_code": specialty.code if specialty else "",
        "specialty": specialty.name if specialty else "",
        "qualification": application.current_qualification,
        "qualification_date": _month(application.qualification_date),
        "practice_category": application.practice_category,
        "first_registration": _month(application.first_registration_month),
        "residency_certificate": _month(application.residency_certificate_month),
        "registration_point": application.registration_point.name if application.registration_point else "",
        "highest_education": application.highest_education,
        "degree": record.get_degree_display() if record else "",
        "education": record.get_education_display() if record else "",
        "graduation": _month(record.graduation_date) if record else "",
        "schooling_years": application.schooling_years,
        "training_mode": record.get_training_mode_display() if record else "",
        "school": record.school if record else "",
        "major": record.major if record else "",
        "unit": unit,
        "unit_affiliation": application.unit_affiliation,
        "unit_nature": application.unit_nature,
        "unit_category": application.unit_category,
        "years_in_specialty": "" if application.years_in_specialty is None else application.years_in_specialty,
    }
    context["fit"] = {
        field: _fit(str(context[field]), characters) for field, characters in FORM_CELL_CHARACTERS.items()
    }
    return context


def ticket_number(application: Application) -> str:
    """准考证号: the exam year and the 网报号, unique as the 网报号 is within its exam."""
    return f"{application.exam.year}{application.number}"


def ticket_facts(application: Application) -> dict[str, Any]:
    """What the ticket shows but the photo's pixels and the fixed wording, as plain values in no
    particular language: the ticket's version is their digest, the same in a request and a worker."""
    specialty = application.specialty
    candidate = application.candidate
    seat = application_seat(application)
    photo = Photo.objects.filter(application=application, status=UploadStatus.ACCEPTED).values_list("key", flat=True)
    return {
        "year": application.exam.year,
        "ticket_number": ticket_number(application),
        "number": application.number,
        "name": candidate.name,
        "id_type": candidate.id_type,
        "id_number": candidate.id_number_masked,
        "gender": application.gender,
        "specialty": specialty.name if specialty else "",
        "specialty_code": specialty.code if specialty else "",
        "level": specialty.level if specialty else "",
        "district": application.district.name,
        "city": application.city.name if application.city else "",
        "site": application.site.name if application.site else "",
        "venue": seat.room.venue.name if seat else "",
        "address": seat.room.venue.address if seat else "",
        "room": seat.room.name if seat else "",
        "seat": f"{seat.number:02d}" if seat else "",
        "sessions": [
            {
                "name": session.name,
                "date": session.starts_at.date().isoformat(),
                "starts": f"{session.starts_at:%H:%M}",
                "ends": f"{session.ends_at:%H:%M}",
            }
            for session in application_sessions(application)
        ],
        "photo_key": photo.first() or "",
    }


def ticket_context(application: Application) -> dict[str, Any]:
    facts = ticket_facts(application)
    return {
        **facts,
        "title": _("%(year)s年度卫生专业技术资格考试准考证") % {"year": facts["year"]},
        # The facts (and so the version digest) keep the masked number; the printed ticket has it all.
        "id_number": printed_id_number(application.candidate),
        "id_type": application.candidate.get_id_type_display(),
        "gender": application.get_gender_display(),
        "sessions": [
            {**session, "date": date_format(datetime.date.fromisoformat(session["date"]), "Y年n月j日")}
            for session in facts["sessions"]
        ],
        "qr_code": resource_url(QR_RESOURCE),
        "photo": resource_url(PHOTO_RESOURCE),
    }


def document_context(application: Application, kind: str) -> dict[str, Any]:
    if kind == DocumentKind.APPLICATION_FORM:
        return {"form": form_context(application)}
    return {"ticket": ticket_context(application)}


def document_resources(application: Application, kind: str, *, photo: bytes) -> dict[str, bytes]:
    """The images the document loads besides the template: the photo at the size it is printed, and
    the codes: the form's carry 网报号 and 验证码 (review's reader takes them from the barcode), the
    ticket's QR code its 准考证号."""
    resources = {PHOTO_RESOURCE: print_photo(photo, width_mm=PHOTO_WIDTH_MM, height_mm=PHOTO_HEIGHT_MM)}
    if kind == DocumentKind.APPLICATION_FORM:
        code_text = _code_text(application)
        resources[BARCODE_RESOURCE] = code128_png(code_text)
        resources[QR_RESOURCE] = qr_png(code_text)
    else:
        resources[QR_RESOURCE] = qr_png(ticket_number(application))
    return resources
