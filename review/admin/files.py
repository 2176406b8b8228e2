"""The photo and the gallery of proof materials on the detail page, served privately to staff in scope."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from registration.models import Application
from registration.models.files import UploadStatus
from registration.selectors.files import application_photo, material_slots
from review.selectors import signed_form_verdicts
from review.signed_forms import Verdict


def _image(url: str, alt: str, status: str, status_label: str, reason: str) -> SafeString:
    if status != UploadStatus.ACCEPTED:
        # Only what passed its check is shown: a refused upload may not be an image at all.
        return format_html('<span class="review-file review-file--{}">{} {}</span>', status, status_label, reason)
    return format_html(
        '<a class="review-file" href="{}" target="_blank" rel="noopener">'
        '<img src="{}?thumb=1" alt="{}" loading="lazy"></a>',
        url,
        url,
        alt,
    )


def _verdict(verdict: Verdict | None) -> SafeString:
    if verdict is None:
        return format_html("")
    return format_html(
        '<span class="review-form review-form--{}" data-form="{}">{}</span>',
        verdict.status,
        verdict.status,
        verdict.label,
    )


def application_files_html(application: Application) -> SafeString:
    """The photo, then each material slot of the district with its files (or "未上传")."""
    photo = application_photo(application=application)
    if photo is None:
        photo_html = format_html("{}", _("未上传照片"))
    else:
        photo_html = _image(
            reverse("admin:registration_application_photo", args=[application.pk]),
            _("照片"),
            photo.status,
            str(photo.get_status_display()),
            photo.reason,
        )
    slots = material_slots(application=application) if application.district.online_confirmation else []
    verdicts = signed_form_verdicts(application) if slots else {}
    rows = []
    for entry in slots:
        files = format_html_join(
            "",
            "{}{}",
            (
                (
                    _image(
                        reverse("admin:registration_application_material", args=[application.pk, material.pk]),
                        f"{entry.slot.code} {entry.slot.title}",
                        material.status,
                        str(material.get_status_display()),
                        material.reason,
                    ),
                    _verdict(verdicts.get(material.pk)),
                )
                for material in entry.files
            ),
        )
        rows.append((entry.slot.code, entry.slot.title, files or _("未上传")))
    gallery = format_html_join(
        "",
        '<li class="review-slot"><span class="review-slot__title">{} {}</span>'
        '<span class="review-slot__files">{}</span></li>',
        rows,
    )
    return format_html(
        '<div class="review-photo">{}</div>{}',
        photo_html,
        format_html('<ul class="review-gallery">{}</ul>', gallery) if rows else "",
    )
