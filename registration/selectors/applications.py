"""Reads of applications: the candidate's own, their status nodes, warnings and completeness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from registration.models import Specialty, Subject, User
from registration.models.application import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    HistoryRecord,
    PhotoStatus,
    ScoreMerge,
)
from registration.nodes import StatusNode
from registration.sections import SECTION_KEYS, SECTIONS

S = ApplicationStatus

# States at or past each node, i.e. the node is behind the candidate.
_SUBMITTED_OR_LATER = frozenset(
    {
        S.SUBMITTED,
        S.CONFIRMATION_REJECTED,
        S.CONFIRMED,
        S.SITE_APPROVED,
        S.REVIEW_REJECTED,
        S.APPROVED,
        S.PAID,
        S.REFUNDED,
    }
)
_CONFIRMED_OR_LATER = frozenset({S.CONFIRMED, S.SITE_APPROVED, S.REVIEW_REJECTED, S.APPROVED, S.PAID, S.REFUNDED})
_REVIEWED = frozenset({S.APPROVED, S.PAID, S.REFUNDED})


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    state: str  # done, current, todo, failed


# 报名成功: paid, or approved where the district takes no online payment (the fee is paid on site at
# confirmation). Seed 002 line 47: "未开通网上缴费的考区，'资格审核'节点变为绿色即表示报名成功".
REGISTERED = Q(status=S.PAID) | Q(status=S.APPROVED, district__online_payment=False)


def registered_applications() -> QuerySet[Application]:
    """Applications whose registration is complete: they get a ticket, a seat and a place on the lists."""
    return Application.objects.filter(REGISTERED)


def application_is_registered(application: Application) -> bool:
    """The same rule as ``registered_applications`` for a loaded row (its district is read)."""
    if application.status == S.PAID:
        return True
    return application.status == S.APPROVED and not application.district.online_payment


def applications_of_candidate(*, candidate: User) -> QuerySet[Application]:
    # Two joins, the rest prefetched: with nine joins PostgreSQL spent more time planning the query
    # (7 ms under a LIMIT) than all the prefetches together take to run (bench/http_load.py).
    return (
        Application.objects.filter(candidate=candidate)
        .select_related("exam", "district", "candidate")
        .prefetch_related(
            "city",
            "site",
            "registration_point",
            "specialty",
            "degree_record",
            "unit",
            Prefetch("subjects", queryset=Subject.objects.order_by("code")),
        )
        .order_by("-exam__year")
    )


def application_of_candidate(*, candidate: User, application_id: int) -> Application:
    """The candidate's own application; anyone else's is ``Application.DoesNotExist`` (a 404)."""
    return applications_of_candidate(candidate=candidate).get(pk=application_id)


def application_of_candidate_for_body(*, candidate: User, application_id: int) -> Application:
    """The candidate's own application with what its body reads but the catalogue rows, which the
    body takes from memory (registration/application_bodies.py)."""
    return (
        Application.objects.filter(candidate=candidate)
        .select_related("exam", "district", "candidate")
        .prefetch_related("degree_record", Prefetch("subjects", queryset=Subject.objects.order_by("code")))
        .get(pk=application_id)
    )


def exam_of_candidate_application(*, candidate: User, application_id: int) -> int | None:
    """The exam id of the candidate's own application, or ``None`` (anyone else's): one indexed look-up,
    for writes that need to know only whose application it is."""
    return Application.objects.filter(pk=application_id, candidate=candidate).values_list("exam_id", flat=True).first()


def last_year_digests(*, application: Application) -> list[str]:
    """The ID digests under which this candidate sat last year: their own, then those merged into it
    by site staff (成绩合并) and not revoked."""
    own = application.candidate.id_number_digest
    merged = ScoreMerge.objects.filter(
        candidate_id=application.candidate_id, exam_year=application.exam.year - 1, revoked_at__isnull=True
    ).values_list("id_number_digest", flat=True)
    return list(dict.fromkeys([*([own] if own else []), *merged]))


def merged_sittings(*, digests: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """For each candidate's ID digest among ``digests``: the (other digest, exam year) sittings merged
    into it by site staff and not revoked (成绩合并), which count as theirs in the two-year rule."""
    merges = ScoreMerge.objects.filter(candidate__id_number_digest__in=set(digests), revoked_at__isnull=True)
    found: dict[str, list[tuple[str, int]]] = {}
    for digest, merged, year in merges.values_list("candidate__id_number_digest", "id_number_digest", "exam_year"):
        found.setdefault(digest or "", []).append((merged, year))
    return found


def subject_codes() -> list[str]:
    """The subjects' codes, in order."""
    return list(Subject.objects.order_by("code").values_list("code", flat=True))


def _history_records(application: Application, all_codes: Iterable[str], **filters: Any) -> list[HistoryRecord]:
    """Last year's records that make the candidate a history candidate, their own digest's first.

    Seed 002 line 49 and seed 003 line 669: a history candidate sat last year's exam (neither absent
    nor disqualified) and did not pass it: a record with every subject passed does not count.
    """
    digests = last_year_digests(application=application)
    if not digests:
        return []
    every_subject = set(all_codes)
    records = HistoryRecord.objects.filter(
        exam_year=application.exam.year - 1, id_number_digest__in=digests, absent=False, disqualified=False, **filters
    )
    # Not filtered in SQL: the embedded default (SQLite) cannot test JSON containment.
    failing = [record for record in records if not every_subject <= set(record.passed_subjects)]
    return sorted(failing, key=lambda record: (digests.index(record.id_number_digest), record.pk))


def history_record(*, application: Application, specialty: Specialty | None) -> HistoryRecord | None:
    """Last year's record of this candidate in this specialty, if it makes them a history candidate
    (sat the exam, neither absent nor disqualified, not passed in every subject), merged records included."""
    return None if specialty is None else _history_record(application, specialty, subject_codes())


def _history_record(
    application: Application, specialty: Specialty | None, all_codes: list[str]
) -> HistoryRecord | None:
    if specialty is None:
        return None
    records = _history_records(application, all_codes, specialty_code=specialty.code)
    return records[0] if records else None


def _failed_or_all(record: HistoryRecord, all_codes: list[str]) -> list[str]:
    return [code for code in all_codes if code not in record.passed_subjects] or all_codes


def default_subject_codes(*, application: Application, specialty: Specialty | None) -> list[str]:
    """All four subjects, or for a history candidate last year's failed ones (成绩滚动管理)."""
    all_codes = subject_codes()
    record = _history_record(application, specialty, all_codes)
    return all_codes if record is None else _failed_or_all(record, all_codes)


def history_subject_defaults(*, application: Application) -> dict[str, list[str]]:
    """For each specialty the candidate sat last year as a history candidate, the subjects to default
    to this year (seed 002 line 52): what the pages and the API both offer."""
    all_codes = subject_codes()
    defaults: dict[str, list[str]] = {}
    for record in _history_records(application, all_codes):
        defaults.setdefault(record.specialty_code, _failed_or_all(record, all_codes))
    return defaults


def section_errors(application: Application) -> dict[str, list[str]]:
    """For each section not saved or no longer valid, why; empty when the application is complete."""
    errors: dict[str, list[str]] = {}
    for key in SECTION_KEYS:
        form_class = SECTIONS[key]
        saved = form_class.representation(application)
        if saved is None:
            errors[key] = [_("“%(section)s”尚未填写。") % {"section": form_class.title}]
            continue
        form = form_class(saved, application=application)
        if not form.is_valid():
            errors[key] = [
                f"{form.fields[name].label if name in form.fields else name}: {message}"
                for name, messages in form.errors.items()
                for message in messages
            ]
    return errors


def application_warnings(application: Application) -> list[str]:
    """Advice that does not block: an ID document that expires before the exam."""
    warnings = []
    if application.id_valid_until and application.id_valid_until < application.exam.exam_date:
        warnings.append(_("证件有效截止日期早于考试日期，不影响报名，请及时更换有效证件，以免影响参加考试。"))
    return warnings


def _abandoned_from(application: Application) -> str:
    """The state an abandoned application was in when its deadline passed (its last audit event)."""
    return (
        ApplicationEvent.objects.filter(application_id=application.pk, to_status=S.ABANDONED)
        .order_by("-id")
        .values_list("from_status", flat=True)
        .first()
        or ""
    )


def status_nodes(application: Application) -> list[Node]:
    """The seven nodes (six where the district confirms on site), each done, current, todo or failed.

    An ended application shows the step it missed as failed, and no step as current: 缴费 when the
    payment window closed unpaid (or the fee was refunded), 报名确认 when the confirmation deadline
    passed unconfirmed (seed 003 line 781).
    """
    status = application.status
    done_sections = all(getattr(application, f"{key}_saved_at") for key in SECTION_KEYS)
    done: dict[str, bool] = {
        StatusNode.FILL: done_sections or status in _SUBMITTED_OR_LATER,
        StatusNode.PHOTO: application.photo_status == PhotoStatus.ACCEPTED,
        StatusNode.MATERIALS: application.materials_finalized,
        StatusNode.SUBMIT: status in _SUBMITTED_OR_LATER,
        StatusNode.CONFIRM: status in _CONFIRMED_OR_LATER,
        StatusNode.REVIEW: status in _REVIEWED,
        # Where fees are not paid online, passing the review completes the registration. A refunded
        # fee is no payment: the registration it made is gone.
        StatusNode.PAY: status == S.PAID or (status == S.APPROVED and not application.district.online_payment),
    }
    missed = ""
    if status == S.ABANDONED:
        # The steps passed are those of the state it was abandoned in.
        before = _abandoned_from(application)
        done[StatusNode.FILL] = done[StatusNode.FILL] or before in _SUBMITTED_OR_LATER
        done[StatusNode.SUBMIT] = before in _SUBMITTED_OR_LATER
        done[StatusNode.CONFIRM] = before in _CONFIRMED_OR_LATER
        done[StatusNode.REVIEW] = before in _REVIEWED
        missed = StatusNode.PAY if before == S.APPROVED else StatusNode.CONFIRM
    failed: dict[str, bool] = {
        StatusNode.PHOTO: application.photo_status == PhotoStatus.REJECTED,
        StatusNode.CONFIRM: status == S.CONFIRMATION_REJECTED or missed == StatusNode.CONFIRM,
        StatusNode.REVIEW: status == S.REVIEW_REJECTED,
        StatusNode.PAY: status == S.REFUNDED or missed == StatusNode.PAY,
    }
    ended = status in {S.ABANDONED, S.REFUNDED}
    keys = [node for node in StatusNode if node != StatusNode.MATERIALS or application.district.online_confirmation]
    nodes = []
    current_given = False
    for key in keys:
        if failed.get(key):
            state = "failed"
            current_given = True
        elif done[key]:
            state = "done"
        elif not current_given and not ended:
            state = "current"
            current_given = True
        else:
            state = "todo"
        nodes.append(Node(key=key.value, label=str(key.label), state=state))
    return nodes


def application_sections(application: Application) -> dict[str, Any]:
    return {key: SECTIONS[key].representation(application) for key in SECTION_KEYS}


def application_labels(application: Application) -> dict[str, Any]:
    """The names of the district and of each saved section's coded values (API.md v1.1 ``labels``)."""
    return {"district": application.district.name} | {key: SECTIONS[key].labels(application) for key in SECTION_KEYS}
