"""Reads for staff work: the scoped queue and its search, an application's eligibility, the dashboard,
the export, and the candidate's to-dos. Every staff read starts from ``review.scope.applications_in_scope``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from django.db import connection
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Min, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.application_bodies import catalogue_rows_attached
from registration.models import Application, ApplicationEvent, EligibilityRule, MaterialFile, MaterialSlot, User
from registration.models.application import ApplicationStatus
from registration.models.files import UploadStatus
from registration.pii import typed_id_number_digest
from registration.selectors.applications import history_record
from registration.selectors.files import material_slots
from registration.workflow import Action
from review import eligibility
from review.models import EligibilityDeclaration, IssuedCode, Job, JobKind, JobStatus, Reminder, SignedFormCheck
from review.scope import Duty, application_scope_parts, applications_in_scope, is_administrator, is_staff_member, may
from review.signed_forms import Verdict, form_verdict, signed_form_slot_code
from wecan.errors import InvalidInput, NotFound

# An early-application policy counts as used once the qualification review was passed with it.
_POLICY_USED_STATES = (ApplicationStatus.APPROVED, ApplicationStatus.PAID, ApplicationStatus.REFUNDED)


def staff_applications(user: Any) -> QuerySet[Application]:
    """The caller's scope with what lists and pages show, oldest submission first.

    One join (the candidate), the catalogue rows prefetched: with nine joins PostgreSQL spent 21 ms
    planning the queue's page at a million applications and 1 ms running it (bench/staff_queue.py),
    while each prefetch is a primary-key look-up for the page's rows only.
    """
    return (
        applications_in_scope(user)
        .select_related("candidate")
        # The exam names each row (Application.__str__, the list's checkbox labels).
        .prefetch_related("exam", "district", "site", "registration_point", "specialty")
        .order_by("submitted_at", "id")
    )


def application_search(queryset: QuerySet[Application], *, q: str) -> QuerySet[Application]:
    """By 网报号, by name (part of it), or by a whole ID number through its keyed hash."""
    q = q.strip()
    if not q:
        return queryset
    digest = typed_id_number_digest(q)
    return queryset.filter(Q(number=q) | Q(candidate__name__icontains=q) | Q(candidate__id_number_digest=digest))


_QUEUE_ORDER = ("submitted_at", "id")


@dataclass(frozen=True)
class StaffQueue:
    """The staff queue as a paginator pages it: its length, and a slice of its ``(submitted_at, id)``
    pairs, oldest submission first. Each part of the scope is its own query, in the order of its queue
    index (``application_point_queue`` and the others end with the id, the queue's tie-break)."""

    parts: list[QuerySet[Any]]
    ordered: ClassVar[bool] = True  # what Django's paginator asks of what it pages

    def __getitem__(self, page: slice) -> list[tuple[Any, int]]:
        if page.stop <= page.start:  # the one page of an empty queue
            return []
        parts = [part for part in self.parts if not part.query.is_empty()]
        if len(parts) < 2:
            return list(parts[0].order_by(*_QUEUE_ORDER)[page]) if parts else []
        if connection.features.supports_slicing_ordering_in_compound:
            # Each part read only as far as the page's end, in its index's order, and the parts
            # merged: at a million applications the union ordered as a whole read and sorted every
            # row of a point, 1.3 ms of PostgreSQL's time against 0.06 (bench/staff_queue.py).
            parts = [part.order_by(*_QUEUE_ORDER)[: page.stop] for part in parts]
        return list(_united(parts).order_by(*_QUEUE_ORDER)[page])

    def count(self) -> int:
        return _united(self.parts).count()


def _united(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
    return parts[0].union(*parts[1:], all=True)


def staff_queue(*, user: Any, status: str = "", specialty: str = "", q: str = "") -> StaffQueue:
    """The staff queue: in scope, filtered by status and specialty code, searched by ``q``, oldest
    submission first, as ``(submitted_at, id)`` pairs to page through before reading the page's rows
    (``staff_queue_rows``).

    Each part of the scope is read on its own and the parts united, so that each follows its queue
    index in order: at a million applications PostgreSQL then reads a page's ids from the index
    alone, where with the scope's ``OR`` it read and sorted every row of the point (bench/staff_queue.py).
    """
    if status and status not in ApplicationStatus.values:
        raise InvalidInput(fields={"status": [_("未知的状态：%(status)s") % {"status": status}]})
    return StaffQueue(
        [
            application_search(part.filter(specialty__code=specialty) if specialty else part, q=q).values_list(
                *_QUEUE_ORDER
            )
            for part in application_scope_parts(user, status=status)
        ]
    )


@dataclass
class QueueRow:
    """A row of the staff queue's page, what ``review.serializers.StaffQueuePageSerializer`` writes out:
    read as plain values, not as applications, whose making took a quarter of the page's time at
    a million applications (bench/staff_queue.py). The catalogue rows are attached from memory."""

    id: int
    number: str
    exam_id: int
    district_id: int
    site_id: int | None
    registration_point_id: int | None
    status: str
    specialty_id: int | None
    photo_status: str
    materials_finalized: bool
    submitted_at: datetime.datetime | None
    resubmission_count: int
    name: str
    id_number_masked: str
    # Attached from memory once read (``catalogue_rows_attached``).
    district: Any = field(default=None, init=False)
    site: Any = field(default=None, init=False)
    registration_point: Any = field(default=None, init=False)
    specialty: Any = field(default=None, init=False)


# The columns read, in the order of the row's fields: each field's own column, the candidate's for theirs.
_CANDIDATE_FIELDS = {"name", "id_number_masked"}
_QUEUE_ROW_COLUMNS = tuple(
    f"candidate__{each.name}" if each.name in _CANDIDATE_FIELDS else each.name for each in fields(QueueRow) if each.init
)


def staff_queue_rows(page: Iterable[tuple[Any, int]]) -> list[QueueRow]:
    """The rows of a page of ``staff_queue`` (already in the caller's scope), in its order."""
    ids = [application_id for _submitted_at, application_id in page]
    read = {
        values[0]: QueueRow(*values)
        for values in Application.objects.filter(pk__in=ids).values_list(*_QUEUE_ROW_COLUMNS)
    }
    rows = [read[application_id] for application_id in ids if application_id in read]
    catalogue_rows_attached(rows, fields=("district", "site", "registration_point", "specialty"))
    return rows


def staff_application_get(*, user: Any, application_id: int) -> Application:
    """One application in the caller's scope; anything else is ``NotFound`` (a 404)."""
    detail = staff_applications(user).prefetch_related("exam", "city", "degree_record", "unit")
    application = detail.filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    return application


def application_events(application: Application) -> QuerySet[ApplicationEvent]:
    return ApplicationEvent.objects.filter(application=application).select_related("actor").order_by("created_at", "id")


def issued_code_known(*, application: Application, code: str) -> bool:
    return IssuedCode.objects.filter(application=application, code=code).exists()


def signed_form_verdicts(application: Application) -> dict[int, Verdict]:
    """For each accepted file in the signed-form slot, what its barcode says (or that it is being read)."""
    files = MaterialFile.objects.filter(
        application=application, slot__code=signed_form_slot_code(), status=UploadStatus.ACCEPTED
    ).values_list("pk", flat=True)
    checks = {check.material_file_id: check for check in SignedFormCheck.objects.filter(material_file__in=list(files))}
    issued = set(IssuedCode.objects.filter(application=application).values_list("code", flat=True))
    verdicts = {}
    for file_id in files:
        check = checks.get(file_id)
        if check is None:
            verdicts[file_id] = Verdict("pending", _("正在识别条形码"))
        else:
            verdicts[file_id] = form_verdict(
                application, number=check.number, code=check.code, issued=check.code in issued
            )
    return verdicts


def application_materials(application: Application) -> dict[str, Any] | None:
    """The materials as API.md's materials body, each file with its signed-form verdict where it has one;
    ``None`` where the district confirms on site (no materials are uploaded)."""
    if not application.district.online_confirmation:
        return None
    verdicts = signed_form_verdicts(application)
    return {
        "finalized": application.materials_finalized,
        "slots": [
            {
                "code": entry.slot.code,
                "title": entry.slot.title,
                "max_files": entry.slot.max_files,
                "files": [
                    {
                        "id": material.pk,
                        "status": material.status,
                        "reason": material.reason,
                        "size": material.size,
                        "signed_form": (
                            {"status": verdicts[material.pk].status, "label": verdicts[material.pk].label}
                            if material.pk in verdicts
                            else None
                        ),
                    }
                    for material in entry.files
                ],
            }
            for entry in material_slots(application=application)
        ],
    }


# --- Eligibility --------------------------------------------------------------------------------


def eligibility_rules() -> list[eligibility.Rule]:
    return [
        eligibility.Rule(
            category_group=rule.category_group,
            target_level=rule.target_level,
            education=rule.education,
            min_years=rule.min_years,
            counted_from=rule.counted_from,
            alternative_counted_from=rule.alternative_counted_from,
            alternative_min_years=rule.alternative_min_years,
            note=rule.note,
        )
        for rule in EligibilityRule.objects.all()
    ]


def _claimed_policies(application: Application) -> tuple[tuple[eligibility.Policy, ...], datetime.date | None]:
    declaration = EligibilityDeclaration.objects.filter(application=application).prefetch_related("policies").first()
    if declaration is None:
        return (), None
    policies = []
    for policy in declaration.policies.all():
        used_in_year = None
        if policy.once_only:
            used_in_year = (
                EligibilityDeclaration.objects.filter(
                    application__candidate_id=application.candidate_id,
                    application__exam__year__lt=application.exam.year,
                    application__status__in=_POLICY_USED_STATES,
                    policies=policy,
                )
                .order_by("-application__exam__year")
                .values_list("application__exam__year", flat=True)
                .first()
            )
        policies.append(
            eligibility.Policy(
                key=policy.key,
                name=policy.name,
                years_early=policy.years_early,
                specialty_codes=tuple(policy.specialty_codes),
                once_only=policy.once_only,
                used_in_year=used_in_year,
                direct=policy.direct,
                target_levels=tuple(policy.target_levels),
            )
        )
    return tuple(policies), declaration.post_changed_on


def eligibility_facts(application: Application) -> eligibility.Facts | None:
    """The facts the pre-check reads; ``None`` while no specialty is chosen (nothing to check against)."""
    specialty = application.specialty
    if specialty is None:
        return None
    degree = application.degree_record
    policies, post_changed_on = _claimed_policies(application)
    education = degree.education if degree else application.highest_education
    uploaded: frozenset[str] | None = None
    expected: tuple[tuple[str, str], ...] = ()
    if application.district.online_confirmation:
        case = eligibility.Case(
            group=eligibility.category_group(specialty.category),
            level=specialty.level,
            education=education,
            residency=application.residency_certificate_month is not None,
            changed_post=post_changed_on is not None,
            history=history_record(application=application, specialty=specialty) is not None,
            special=bool(policies),
        )
        slots = MaterialSlot.objects.filter(district_id=application.district_id).order_by("position", "code")
        expected = tuple((slot.code, slot.title) for slot in slots if eligibility.slot_expected(slot.who, case))
        uploaded = frozenset(
            MaterialFile.objects.filter(application=application, status=UploadStatus.ACCEPTED).values_list(
                "slot__code", flat=True
            )
        )
    return eligibility.Facts(
        specialty_code=specialty.code,
        specialty_category=specialty.category,
        target_level=specialty.level,
        education=education,
        cutoff=application.exam.work_years_cutoff,
        graduation_date=degree.graduation_date if degree else None,
        current_qualification=application.current_qualification,
        qualification_date=application.qualification_date,
        practice_category=application.practice_category,
        first_registration_month=application.first_registration_month,
        residency_certificate_month=application.residency_certificate_month,
        years_in_specialty=application.years_in_specialty,
        policies=policies,
        post_changed_on=post_changed_on,
        material_slots=uploaded,
        expected_slots=expected,
    )


def application_eligibility(application: Application) -> eligibility.Result:
    """The advisory pre-check of ``application`` (pass / warn / fail, with reasons in words)."""
    facts = eligibility_facts(application)
    if facts is None:
        return eligibility.Result(
            outcome=eligibility.Outcome.WARN,
            checks=(eligibility.Check("rule", eligibility.Outcome.WARN, _("尚未选择报考专业，无法核对报考条件。")),),
        )
    return eligibility.evaluate(facts, eligibility_rules())


def eligibility_as_dict(result: eligibility.Result) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "required_years": result.required_years,
        "counted_years": result.counted_years,
        "checks": [
            {"code": check.code, "outcome": check.outcome.value, "message": check.message} for check in result.checks
        ],
    }


# --- Dashboard and export -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    count: int


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status in table order
    per_day: list[DayCount]  # submissions (and re-submissions) per day, oldest first, every day shown
    total: int


def staff_dashboard(*, user: Any, days: int = 30, today: datetime.date | None = None) -> Dashboard:
    """Applications in the caller's scope by status, and submissions per day over the last ``days`` days."""
    scope = applications_in_scope(user)
    counts = dict(scope.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_status = [(value, str(label), counts.get(value, 0)) for value, label in ApplicationStatus.choices]
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(days=days - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time()))
    submitted = dict(
        ApplicationEvent.objects.filter(application__in=scope, action=Action.SUBMIT.value, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days_shown = [first_day + datetime.timedelta(days=offset) for offset in range(days)]
    per_day = [DayCount(day=day, count=submitted.get(day, 0)) for day in days_shown]
    return Dashboard(by_status=by_status, per_day=per_day, total=sum(counts.values()))


EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("number", "网报号"),
    ("name", "姓名"),
    ("id_number_masked", "证件号码"),
    ("status", "状态"),
    ("district", "考区"),
    ("site", "考点"),
    ("registration_point", "报名点"),
    ("specialty_code", "专业代码"),
    ("specialty", "报考专业"),
    ("level", "报考级别"),
    ("subjects", "报考科目"),
    ("education", "学历"),
    ("unit", "工作单位"),
    ("years_in_specialty", "从事本专业年限"),
    ("mobile", "手机号码"),
    ("submitted_at", "提交时间"),
    ("resubmission_count", "重新提交次数"),
    ("rejection_reasons", "不通过原因"),
]


def export_rows(queryset: QuerySet[Application], *, chunk_size: int = 2000) -> Iterator[list[Any]]:
    """One row per application of ``queryset`` in ``EXPORT_COLUMNS`` order, read in chunks."""
    applications = queryset.select_related(
        "candidate", "district", "site", "registration_point", "specialty", "degree_record", "unit"
    ).prefetch_related("subjects")
    for application in applications.iterator(chunk_size=chunk_size):
        specialty = application.specialty
        submitted_at = timezone.localtime(application.submitted_at) if application.submitted_at else None
        yield [
            application.number,
            application.candidate.name,
            application.candidate.id_number_masked,
            application.get_status_display(),
            application.district.name,
            application.site.name if application.site else "",
            application.registration_point.name if application.registration_point else "",
            specialty.code if specialty else "",
            specialty.name if specialty else "",
            specialty.level if specialty else "",
            "、".join(subject.name for subject in sorted(application.subjects.all(), key=lambda s: s.code)),
            application.degree_record.education if application.degree_record else application.highest_education,
            application.unit.name if application.unit else application.other_unit_name,
            application.years_in_specialty if application.years_in_specialty is not None else "",
            application.mobile,
            submitted_at.replace(tzinfo=None) if submitted_at else "",
            application.resubmission_count,
            "；".join(reason.get("label", "") for reason in application.rejection_reasons),
        ]


def export_rows_in_order(*, user: Any, application_ids: list[int]) -> Iterator[list[Any]]:
    """The export rows of those of ``application_ids`` still in the user's scope, in the order given."""
    position = Case(*[When(pk=pk, then=Value(index)) for index, pk in enumerate(application_ids)])
    chosen = applications_in_scope(user).filter(pk__in=application_ids).order_by(position)
    return export_rows(chosen)


# --- Work queues of the admin home page --------------------------------------------------------------


@dataclass(frozen=True)
class WorkQueue:
    """What waits for a staff member at one step: how many, since when, and until when it may wait."""

    key: str  # "confirm", "review_site", "review_district", "jobs"
    label: str
    count: int
    status: str  # the application status the queue lists ("" for jobs)
    oldest: datetime.datetime | None
    deadline: datetime.datetime | None
    days_left: int | None  # whole days from today to the deadline; negative once it passed


# Each step of staff work: its duty, the status waiting for it, and the exam window that bounds it.
# Reviews must be done while the candidate can still pay: the payment window closes the review.
_QUEUES: tuple[tuple[str, Any, Duty, str, str], ...] = (
    ("confirm", gettext_lazy("待确认"), Duty.CONFIRM, ApplicationStatus.SUBMITTED, "exam__confirmation_deadline"),
    ("review_site", gettext_lazy("待初审"), Duty.REVIEW_SITE, ApplicationStatus.CONFIRMED, "exam__payment_closes"),
    (
        "review_district",
        gettext_lazy("待终审"),
        Duty.REVIEW_DISTRICT,
        ApplicationStatus.SITE_APPROVED,
        "exam__payment_closes",
    ),
)


def _days_left(deadline: datetime.datetime | None, today: datetime.date) -> int | None:
    return None if deadline is None else (timezone.localdate(deadline) - today).days


def staff_work_queues(*, user: Any, today: datetime.date | None = None) -> list[WorkQueue]:
    """The queues the user's role works on, in scope, with one aggregate query each, plus running jobs."""
    today = today or timezone.localdate()
    queues = []
    for key, label, duty, status, deadline_field in _QUEUES:
        if not may(user, duty):
            continue
        waiting = (
            applications_in_scope(user)
            .filter(status=status)
            .aggregate(count=Count("pk"), oldest=Min("submitted_at"), deadline=Min(deadline_field))
        )
        queues.append(
            WorkQueue(
                key=key,
                label=str(label),
                count=waiting["count"],
                status=status,
                oldest=waiting["oldest"],
                deadline=waiting["deadline"],
                days_left=_days_left(waiting["deadline"], today),
            )
        )
    if is_staff_member(user):
        running = jobs_visible_to(user).filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
        jobs = running.aggregate(count=Count("pk"), oldest=Min("created_at"))
        queues.append(
            WorkQueue(
                key="jobs",
                label=_("后台任务"),
                count=jobs["count"],
                status="",
                oldest=jobs["oldest"],
                deadline=None,
                days_left=None,
            )
        )
    return queues


@dataclass(frozen=True)
class QueueNeighbours:
    """Around one place in a status queue (oldest submission first): the applications before and after it."""

    previous_id: int | None
    next_id: int | None
    position: int  # how many of the queue come before this place, plus one
    total: int


def queue_neighbours(
    *, user: Any, status: str, submitted_at: datetime.datetime | None, application_id: int
) -> QueueNeighbours:
    """The review desk's previous and next application in the caller's queue of ``status``.

    The place is given by value, so it holds after the application itself left the queue (decided);
    past the last one the next is the oldest still waiting, so the desk goes round until it is empty.
    """
    queue = applications_in_scope(user).filter(status=status).exclude(pk=application_id)
    stamp = submitted_at or datetime.datetime.min.replace(tzinfo=datetime.UTC)
    before = Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, pk__lt=application_id)
    earlier = queue.filter(before)
    previous_id = earlier.order_by("-submitted_at", "-pk").values_list("pk", flat=True).first()
    next_id = queue.exclude(before).order_by("submitted_at", "pk").values_list("pk", flat=True).first()
    if next_id is None:
        next_id = queue.order_by("submitted_at", "pk").values_list("pk", flat=True).first()
    counts = queue.aggregate(total=Count("pk"), earlier=Count("pk", filter=before))
    return QueueNeighbours(
        previous_id=previous_id,
        next_id=next_id,
        position=counts["earlier"] + 1,
        total=counts["total"] + 1,
    )


def application_by_number(*, user: Any, number: str) -> Application | None:
    """The application with this 网报号 in the caller's scope (the latest exam's), for the scanner page."""
    return (
        applications_in_scope(user)
        .filter(number=number.strip())
        .select_related("candidate")
        .order_by("-exam__year")
        .first()
    )


# --- Jobs and reminders ---------------------------------------------------------------------------


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """Administrators follow every job, other staff their own."""
    jobs = Job.objects.select_related("created_by")
    return jobs if is_administrator(user) else jobs.filter(created_by_id=getattr(user, "pk", None))


def export_job_of(*, user: Any, job_id: int) -> Job | None:
    """An export the user started: its file is theirs alone, administrators' included."""
    exports = Job.objects.filter(kind=JobKind.APPLICATION_EXPORT, created_by_id=getattr(user, "pk", None))
    return exports.filter(pk=job_id).first()


def export_jobs_recent(*, user: Any, limit: int = 3) -> list[Job]:
    """The user's latest exports of the last day, newest first, for their progress and file on the list page."""
    since = timezone.now() - datetime.timedelta(days=1)
    exports = Job.objects.filter(
        kind=JobKind.APPLICATION_EXPORT, created_by_id=getattr(user, "pk", None), created_at__gte=since
    )
    return list(exports.order_by("-created_at", "-pk")[:limit])


def jobs_running(*, user: Any, limit: int = 5) -> list[Job]:
    """The staff member's unfinished jobs, oldest first, for their progress on the home page."""
    running = jobs_visible_to(user).filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    return list(running.order_by("created_at", "pk")[:limit])


def reminders_of(*, candidate: User) -> QuerySet[Reminder]:
    """The candidate's to-dos: open ones first, newest first."""
    return (
        Reminder.objects.filter(candidate=candidate)
        .select_related("application__exam")
        .order_by(ExpressionWrapper(Q(closed_at__isnull=True), BooleanField()).desc(), "-created_at", "-id")
    )
