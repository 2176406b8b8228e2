"""The candidate's pages: exam list → district → notice and pledge → six sections → review → submit.

Every write goes through ``registration.services.applications``; a refused save re-renders the page
with what the candidate typed and the errors beside the fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registration.models import District, Exam
from registration.models.application import Application, ApplicationStatus
from registration.pii import mask_mobile
from registration.sections import SECTION_KEYS, SECTIONS, SectionForm
from registration.selectors.applications import (
    application_labels,
    application_of_candidate,
    application_sections,
    application_warnings,
    applications_of_candidate,
    history_subject_defaults,
    section_errors,
    status_nodes,
)
from registration.selectors.catalogue import exam_list_open
from registration.selectors.progress import NextStep, next_step
from registration.services.applications import (
    application_accept_pledge,
    application_change_district,
    application_create,
    application_save_section,
    application_submit,
    application_withdraw,
)
from registration.windows import Window, is_open, require_content_open, window_bounds
from registration.workflow import EDITABLE_STATES
from wecan.errors import InvalidInput, PortalError, WindowClosed


def _candidate(request: HttpRequest) -> Any:
    if not request.user.is_candidate:  # type: ignore[union-attr]
        raise PermissionDenied
    return request.user


def _own(request: HttpRequest, application_id: int) -> Application:
    try:
        return application_of_candidate(candidate=_candidate(request), application_id=application_id)
    except Application.DoesNotExist:
        raise Http404 from None


def _window_notice(application: Application) -> str:
    """Why the candidate cannot change the application now, when a time window is the reason."""
    if application.status not in EDITABLE_STATES:
        return ""
    try:
        require_content_open(application)
    except WindowClosed as closed:
        return str(closed.message)
    return ""


def next_step_link(step: NextStep, application: Application) -> str:
    """The address of the page where the candidate takes ``step``, or "" when there is none."""
    if not step.page:
        return ""
    return reverse(step.page, kwargs={"application_id": application.pk, **step.page_kwargs})


def _page(request: HttpRequest, template: str, application: Application, **context: Any) -> HttpResponse:
    """Renders an application page with the nodes, the 状态信息 box and the section tabs."""
    step = next_step(application)
    link = next_step_link(step, application)
    return render(
        request,
        template,
        {
            "application": application,
            "nodes": status_nodes(application),
            "next_step": step,
            # No button to the page the candidate is on: that page's own button takes the step.
            "next_step_url": "" if link == request.path else link,
            "warnings": application_warnings(application),
            "section_tabs": [(key, SECTIONS[key].title) for key in SECTION_KEYS],
            "editable": application.status in EDITABLE_STATES,
            "window_notice": _window_notice(application),
            **context,
        },
    )


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    candidate = _candidate(request)
    mine = {application.exam_id: application for application in applications_of_candidate(candidate=candidate)}
    exams = [
        (exam, mine.get(exam.pk), is_open(exam, Window.REGISTRATION), window_bounds(exam, Window.REGISTRATION))
        for exam in exam_list_open()
    ]
    return render(request, "applications/exam_list.html", {"exams": exams})


@login_required
def choose_district(request: HttpRequest, exam_id: int) -> HttpResponse:
    _candidate(request)
    exam = get_object_or_404(Exam, pk=exam_id)
    districts = District.objects.filter(exam=exam).order_by("code")
    if request.method == "POST":
        district = districts.filter(code=request.POST.get("district", "")).first()
        if district is not None:
            return redirect("application-notice", exam_id=exam.pk, district_code=district.code)
        messages.error(request, _("请选择考区。"))
    return render(request, "applications/choose_district.html", {"exam": exam, "districts": districts})


@login_required
def notice(request: HttpRequest, exam_id: int, district_code: str) -> HttpResponse:
    """报考须知: the integrity pledge must be ticked before the application is opened."""
    candidate = _candidate(request)
    exam = get_object_or_404(Exam, pk=exam_id)
    district = get_object_or_404(District, exam=exam, code=district_code)
    if request.method == "POST":
        if request.POST.get("pledge") != "on":
            messages.error(request, _("请阅读并勾选同意《考生诚信考试承诺书》。"))
        else:
            try:
                application = application_create(
                    candidate=candidate, exam=exam, district=district, pledge_accepted=True
                )
            except PortalError as error:
                messages.error(request, str(error.message))
            else:
                return redirect("application-section", application_id=application.pk, section=SECTION_KEYS[0])
    return render(request, "applications/notice.html", {"exam": exam, "district": district})


@login_required
def overview(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    return _page(
        request,
        "applications/overview.html",
        application,
        sections=_section_summaries(application),
        mobile_masked=mask_mobile(application.mobile),
    )


def _section_summaries(application: Application) -> list[tuple[str, Any, list[tuple[Any, Any]] | None]]:
    """(key, title, [(label, value)] or None) for each section, for the overview and review pages.

    Coded values are shown by name (labels), as the candidate chose them, never by code.
    """
    saved = application_sections(application)
    labels = application_labels(application)
    summaries: list[tuple[str, Any, list[tuple[Any, Any]] | None]] = []
    for key in SECTION_KEYS:
        form_class = SECTIONS[key]
        data, named = saved[key], labels[key]
        if data is None or named is None:
            summaries.append((key, form_class.title, None))
            continue
        rows = []
        for name, field in form_class.base_fields.items():
            value = named.get(name, data.get(name))
            if name == "mobile":
                value = mask_mobile(application.mobile)
            elif name == "subjects":
                value = _("、").join(value or [])
            rows.append((field.label, value if value not in (None, "") else "—"))
        summaries.append((key, form_class.title, rows))
    return summaries


@login_required
def section(request: HttpRequest, application_id: int, section: str) -> HttpResponse:
    if section not in SECTION_KEYS:
        raise Http404
    application = _own(request, application_id)
    form_class = SECTIONS[section]
    form: SectionForm
    if request.method == "POST":
        try:
            application_save_section(
                application_id=application.pk,
                section=section,
                data=request.POST,
                actor=request.user,  # type: ignore[arg-type]
            )
        except InvalidInput:
            # The same form the service validated with: its errors, beside what was typed.
            form = form_class(request.POST, application=application)
            form.is_valid()
        except PortalError as error:
            messages.error(request, str(error.message))
            form = form_class(request.POST, application=application)
        else:
            position = SECTION_KEYS.index(section)
            if position + 1 < len(SECTION_KEYS):
                return redirect(
                    "application-section", application_id=application.pk, section=SECTION_KEYS[position + 1]
                )
            # Seed 002 (7): "以上信息提交后，系统会自动跳转至上传照片页面".
            return redirect("application-photo", application_id=application.pk)
    else:
        form = form_class(application=application)
    return _page(
        request,
        "applications/section.html",
        application,
        section=section,
        section_title=form_class.title,
        form=form,
        cascade=_cascade_data(application, section),
    )


def _cascade_data(application: Application, section: str) -> dict[str, Any]:
    """What the page's script needs to narrow one list by another (site → point, category → specialty)."""
    if section == "site":
        cities = application.district.cities.prefetch_related("sites__registration_points")
        return {
            "sites": {city.code: [[site.code, site.name] for site in city.sites.all()] for city in cities},
            "points": {
                site.code: [[point.code, point.name] for point in site.registration_points.all()]
                for city in cities
                for site in city.sites.all()
            },
        }
    if section == "exam":
        return {
            "specialties": [
                # The values the form takes, then how the page shows them (category, level).
                [
                    specialty.code,
                    specialty.shown_name,
                    specialty.category,
                    specialty.level,
                    specialty.shown_category,
                    specialty.shown_level,
                ]
                for specialty in application.exam.specialties.order_by("code")
            ],
            "historySubjects": history_subject_defaults(application=application),
        }
    if section == "work":
        return {
            "unitsUrl": reverse("exam-units", kwargs={"exam_id": application.exam_id}),
            "unitName": application.unit.name if application.unit else "",
        }
    return {}


@login_required
def review(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    return _page(
        request,
        "applications/review.html",
        application,
        sections=_section_summaries(application),
        missing=section_errors(application),
    )


@login_required
@require_POST
def submit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        # An application opened over the API may come here without the pledge: the box on this page gives it.
        if application.pledge_accepted_at is None and request.POST.get("pledge") == "on":
            application_accept_pledge(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
        submitted = application_submit(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        messages.error(request, str(error.message))
        for field_errors in error.fields.values():
            for text in field_errors:
                messages.error(request, text)
        return redirect("application-review", application_id=application.pk)
    if submitted.status == ApplicationStatus.CONFIRMED:
        messages.success(request, _("报名信息已提交，并已自动完成报名确认。"))
    else:
        messages.success(request, _("报名信息已提交。请打印报名表，按要求完成报名确认。"))
    return redirect("application-overview", application_id=application.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    try:
        application_withdraw(application_id=application.pk, actor=request.user)  # type: ignore[arg-type]
    except PortalError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已撤回信息提交。修改后请重新提交，并重新打印报名表。"))
    return redirect("application-overview", application_id=application.pk)


@login_required
def change_district(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _own(request, application_id)
    districts = District.objects.filter(exam=application.exam).exclude(pk=application.district_id)
    if request.method == "POST":
        district = districts.filter(code=request.POST.get("district", "")).first()
        if district is None:
            messages.error(request, _("请选择考区。"))
        else:
            try:
                application_change_district(application_id=application.pk, district=district, actor=request.user)  # type: ignore[arg-type]
            except PortalError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("考区已修改，请重新填写报名信息。"))
                return redirect("application-section", application_id=application.pk, section=SECTION_KEYS[0])
    return _page(request, "applications/change_district.html", application, districts=districts, now=timezone.now())


urlpatterns = [
    path("exams/", exam_list, name="application-exams"),
    path("exams/<int:exam_id>/district/", choose_district, name="application-district"),
    path("exams/<int:exam_id>/district/<str:district_code>/notice/", notice, name="application-notice"),
    path("applications/<int:application_id>/", overview, name="application-overview"),
    path("applications/<int:application_id>/sections/<str:section>/", section, name="application-section"),
    path("applications/<int:application_id>/review/", review, name="application-review"),
    path("applications/<int:application_id>/submit/", submit, name="application-submit"),
    path("applications/<int:application_id>/withdraw/", withdraw, name="application-withdraw"),
    path("applications/<int:application_id>/change-district/", change_district, name="application-change-district"),
]
