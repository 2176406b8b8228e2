"""Writes to applications: create, save a section, change district, and every state transition.

Each function runs in one transaction, locks the application row, and writes an audit event.
``transition`` and its bulk twin ``transition_many`` are the only code that sets ``Application.status``.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, connection, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration import hooks
from registration.models import District, Exam, User
from registration.models.application import Application, ApplicationEvent, ApplicationStatus, PhotoStatus
from registration.sections import SECTION_KEYS, SECTIONS, cleared_values
from registration.signals import application_content_changed, application_transitioned, applications_transitioned
from registration.windows import Window, require_content_open, require_open
from registration.workflow import EDITABLE_STATES, TRANSITIONS, Action
from wecan.bulk_insert import insert_rows
from wecan.errors import Conflict, InvalidInput, InvalidState, NotFound, PortalError, ServiceUnavailable
from wecan.joined_rows import JoinedRows
from wecan.sql import row_columns_save, table_and_columns

logger = logging.getLogger(__name__)

_NUMBER_ATTEMPTS = 8


class PledgeRequired(InvalidState):
    """Submission without the accepted 《考生诚信考试承诺书》."""

    code = "pledge_required"
    default_message = gettext_lazy("请先阅读并同意《考生诚信考试承诺书》，再提交报名信息。")


def _new_verification_code() -> str:
    return f"{secrets.randbelow(10**7):07d}"


_EVENT_FIELDS = ("application_id", "actor_id", "action", "from_status", "to_status", "reason", "created_at")


def _record(
    application: Application, *, action: str, actor: User | None, reason: str = "", from_status: str = ""
) -> None:
    # By one statement: the ORM's create built its INSERT for longer than PostgreSQL took to run it.
    insert_rows(
        ApplicationEvent,
        fields=_EVENT_FIELDS,
        rows=[
            (
                application.pk,
                actor.pk if actor else None,
                action,
                from_status or application.status,
                application.status,
                reason,
                timezone.now(),
            )
        ],
    )


@functools.cache
def _locking_read(also: tuple[str, ...]) -> JoinedRows[Application]:
    return JoinedRows(Application, ("exam", "district", *also), key="id", lock=True)


def _locked(application_id: int, *also: str) -> Application:
    """The application row, locked, with its exam, district and the relations named in ``also``: by a
    statement built once, as every save and transition reads it."""
    found = _locking_read(also)(application_id, using=router.db_for_write(Application))
    if not found:
        raise NotFound()
    return found[0]


def _issue_verification_code(application: Application) -> None:
    """A new 验证码 on every change of the 报名信息 (a section, the photo, the district), so a stale
    printed form is detected at confirmation. The caller holds the row lock and saves the row; the
    code's history is written by the hooks in the same transaction (seed 002 line 37)."""
    application.verification_code = _new_verification_code()
    code = application.verification_code
    hooks.code_issued(application_id=application.pk, code=code)
    transaction.on_commit(
        lambda: application_content_changed.send(
            sender=Application, application_id=application.pk, verification_code=code
        )
    )


def application_create(
    *, candidate: User, exam: Exam, district: District, pledge_accepted: bool = False
) -> Application:
    """Opens the candidate's application for ``exam`` in ``district``: one per candidate per exam.

    Raises ``WindowClosed`` outside the registration window, ``Conflict`` if the candidate already
    has one, ``InvalidInput`` for a district of another exam.
    """
    if not candidate.is_candidate:
        raise InvalidState(_("只有考生可以报名。"))
    if district.exam_id != exam.pk:
        raise InvalidInput(fields={"district": [_("所选考区不属于本次考试。")]})
    require_open(exam, Window.REGISTRATION)
    if Application.objects.filter(exam=exam, candidate=candidate).exists():
        raise Conflict(_("您已报名本次考试，不能重复报名。"))
    for _attempt in range(_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                application = Application(
                    exam=exam,
                    candidate=candidate,
                    district=district,
                    # 网报号: random rather than sequential, so numbers say nothing about volume or neighbours.
                    number=f"{secrets.randbelow(10**8):08d}",
                    verification_code=_new_verification_code(),
                    pledge_accepted_at=timezone.now() if pledge_accepted else None,
                )
                application.full_clean(validate_unique=False, validate_constraints=False)
                application.save()
                hooks.code_issued(application_id=application.pk, code=application.verification_code)
                _record(application, action="create", actor=candidate, from_status="")
                return application
        except IntegrityError:
            if Application.objects.filter(exam=exam, candidate=candidate).exists():
                raise Conflict(_("您已报名本次考试，不能重复报名。")) from None
            # Otherwise the random number was taken: draw again.
    raise Conflict(_("网报号分配失败，请重试。"))


def application_save_section(*, application_id: int, section: str, data: Mapping[str, Any], actor: User) -> Application:
    """Validates and saves one section of the actor's own application (anyone else's is
    ``NotFound``); issues a new 验证码. Nothing is saved if any field is wrong."""
    if section not in SECTION_KEYS:
        raise NotFound()
    with transaction.atomic():
        # With its degree record, which the answer shows (registration/application_bodies.py).
        application = _locked(application_id, "degree_record")
        if application.candidate_id != actor.pk:
            raise NotFound()
        if application.status not in EDITABLE_STATES:
            raise InvalidState(_("报名信息已提交，如需修改请先撤回。"))
        require_content_open(application)
        form = SECTIONS[section](data, application=application)
        if not form.is_valid():
            raise InvalidInput(fields={name: list(errors) for name, errors in form.errors.items()})
        values = form.values()
        subjects = values.pop("subjects", None)
        for name, value in values.items():
            setattr(application, name, value)
        setattr(application, f"{section}_saved_at", timezone.now())
        _issue_verification_code(application)
        # The columns this save changes (the row is locked), by a statement built once for them.
        row_columns_save(
            application,
            [*values, f"{section}_saved_at", "verification_code", "updated_at"],
            using=router.db_for_write(Application),
        )
        if subjects is not None:
            application.subjects.set(subjects)
        _record(application, action=f"save_{section}", actor=actor)
    # The revision the database's trigger gave this write: one more than the locked row's, the row's
    # one UPDATE in this transaction. The body made from the row in hand is cached under it
    # (registration/application_bodies.py); were the count ever wrong, no read would ask for that
    # revision, so it would cost a cache miss, never a stale body.
    application.revision += 1
    return application


def application_change_district(*, application_id: int, district: District, actor: User) -> Application:
    """修改考区: only before submission; clears every section (the account and degrees stay)."""
    with transaction.atomic():
        application = _locked(application_id)
        if application.status != ApplicationStatus.DRAFT:
            raise InvalidState(_("报名信息提交后不能修改考区。"))
        if district.exam_id != application.exam_id:
            raise InvalidInput(fields={"district": [_("所选考区不属于本次考试。")]})
        require_open(application.exam, Window.REGISTRATION)
        # Imported here: the files services build on this module.
        from registration.services.files import materials_discard

        previous = application.district.code
        discarded = materials_discard(application=application)
        for name, value in cleared_values().items():
            setattr(application, name, value)
        application.district = district
        application.materials_finalized = False
        _issue_verification_code(application)
        application.save()
        application.subjects.clear()
        _record(
            application,
            action="change_district",
            actor=actor,
            reason=f"{previous} → {district.code}; {discarded} material file(s) discarded",
        )
    return application


def transition(
    *,
    application_id: int,
    action: Action,
    actor: User | None,
    reason: str = "",
    check: Callable[[Application], None] | None = None,
    apply: Callable[[Application, str], None] | None = None,
) -> Application:
    """Moves the application along ``action`` of the transition table.

    Locks the row, refuses with ``InvalidState`` when the table does not allow the action from the
    current state, then runs ``check`` (which may raise) and ``apply`` (further changes) on the
    locked row (``apply`` also gets the state it left), saves, writes the audit event and, on
    commit, sends ``application_transitioned``.
    """
    rule = TRANSITIONS[action]
    with transaction.atomic():
        application = _locked(application_id)
        if application.status not in rule.sources:
            raise InvalidState(
                _("当前状态为“%(status)s”，不能%(action)s。")
                % {"status": application.get_status_display(), "action": rule.description}
            )
        if check is not None:
            check(application)
        from_status = application.status
        application.status = rule.target
        if apply is not None:
            apply(application, from_status)
        application.save()
        _record(application, action=action.value, actor=actor, reason=reason, from_status=from_status)
        actor_id = actor.pk if actor else None
        transaction.on_commit(
            lambda: application_transitioned.send(
                sender=Application,
                application_id=application.pk,
                action=action.value,
                from_status=from_status,
                to_status=rule.target.value,
                actor_id=actor_id,
            )
        )
    return application


def transition_many(
    *,
    application_ids: Sequence[int],
    action: Action,
    actor: User | None,
    reason: str = "",
    condition: Q | None = None,
) -> list[int]:
    """The bulk twin of ``transition``: moves along ``action`` those of ``application_ids`` in a source
    state of the table for which ``condition`` holds, in one transaction; returns their ids, in order.

    The caller may rely on: the same audit event per application as ``transition`` writes (one INSERT
    for all, at the moment of the UPDATE), the revision bumped (the database's trigger), and on commit one
    ``applications_transitioned`` for the ids moved. An application in another state, or that no
    longer meets ``condition``, is left as it is, so running twice moves nothing the second time. An
    application whose row another transaction holds locked is skipped: it is being changed, and a
    sweep that runs again finds it if it is still due.

    Three statements, in this order, because of how READ COMMITTED reads: an UPDATE re-checks its
    ``WHERE`` on a row changed concurrently, but a condition on *other* tables (a pending order) is
    read in the statement's snapshot and may miss what a transaction holding the row committed just
    before. So the rows are locked first (``FOR UPDATE SKIP LOCKED``, in id order); the UPDATE is
    a later statement whose snapshot includes every write made under those locks, and nothing can
    change them until this transaction ends.
    """
    rule = TRANSITIONS[action]
    sources = sorted(source.value for source in rule.sources)
    with transaction.atomic():
        locked = dict(
            Application.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(application_ids), status__in=sources)
            .order_by("pk")
            .values_list("pk", "status")
        )
        if not locked:
            return []
        due = Application.objects.filter(pk__in=list(locked))
        if condition is not None:
            due = due.filter(condition)
        due_sql, due_params = due.values("pk").query.get_compiler(connection=connection).as_sql()
        now = timezone.now()
        table_sql, status_sql, updated_at_sql, id_sql = table_and_columns(Application, "status", "updated_at", "id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table_sql} SET {status_sql} = %s, {updated_at_sql} = %s "  # noqa: S608 (quoted names)
                f"WHERE {status_sql} IN ({', '.join(['%s'] * len(sources))}) AND {id_sql} IN ({due_sql}) "
                f"RETURNING {id_sql}",
                [rule.target.value, connection.ops.adapt_datetimefield_value(now), *sources, *due_params],
            )
            moved = sorted(row[0] for row in cursor.fetchall())
        actor_id = actor.pk if actor else None
        insert_rows(
            ApplicationEvent,
            fields=("application_id", "actor_id", "action", "from_status", "to_status", "reason", "created_at"),
            rows=[(pk, actor_id, action.value, locked[pk], rule.target.value, reason, now) for pk in moved],
        )
        if moved:
            transaction.on_commit(
                lambda: applications_transitioned.send(
                    sender=Application,
                    application_ids=moved,
                    action=action.value,
                    to_status=rule.target.value,
                    actor_id=actor_id,
                )
            )
    return moved


def _require_complete(application: Application) -> None:
    """Every section saved and still valid against today's catalogue."""
    from registration.selectors.applications import section_errors

    errors = section_errors(application)
    if errors:
        raise InvalidInput(_("报名信息尚未填写完整，请先完成以下栏目。"), fields=errors)


def _require_files(application: Application) -> None:
    """An accepted photo and, where the district confirms online, materials uploaded in full."""
    errors: dict[str, list[str]] = {}
    if application.photo_status != PhotoStatus.ACCEPTED:
        errors["photo"] = [_("请上传照片，并等待照片检查合格。")]
    if application.district.online_confirmation and not application.materials_finalized:
        errors["materials"] = [_("请上传证明材料，并点击“上传全部证明材料”。")]
    if errors:
        raise InvalidInput(_("照片或证明材料尚未完成。"), fields=errors)


def application_accept_pledge(*, application_id: int, actor: User) -> Application:
    """Records the candidate's acceptance of the 《考生诚信考试承诺书》 for an application opened without it
    (over the API); accepting again changes nothing. Only while the application may still be submitted."""
    with transaction.atomic():
        application = _locked(application_id)
        if application.pledge_accepted_at is not None:
            return application
        if application.status not in EDITABLE_STATES:
            raise InvalidState(_("报名信息已提交，无需再次同意承诺书。"))
        application.pledge_accepted_at = timezone.now()
        application.save(update_fields=["pledge_accepted_at", "updated_at"])
        _record(application, action="accept_pledge", actor=actor)
    return application


def application_submit(*, application_id: int, actor: User) -> Application:
    """提交信息: from a draft inside the registration window (after a withdrawal, until the
    confirmation deadline), or again after a confirmation rejection until the confirmation deadline.
    The pledge must be accepted (``PledgeRequired``, 409) and the application complete.

    The submitted hooks run in the same transaction (a history candidate is confirmed at once): the
    answer is the application as they left it, and if one fails nothing is submitted.
    """

    def check(application: Application) -> None:
        require_content_open(application)
        if application.pledge_accepted_at is None:
            raise PledgeRequired()
        _require_complete(application)
        _require_files(application)

    def apply(application: Application, from_status: str) -> None:
        if from_status == ApplicationStatus.CONFIRMATION_REJECTED:
            application.resubmission_count += 1
        application.rejection_reasons = []
        application.submitted_at = timezone.now()

    with transaction.atomic():
        application = transition(
            application_id=application_id, action=Action.SUBMIT, actor=actor, check=check, apply=apply
        )
        try:
            hooks.submitted(application_id=application.pk)
        except PortalError:
            raise
        except Exception as error:
            logger.exception("the submitted hooks of application %s failed", application.pk)
            raise ServiceUnavailable(_("报名信息未能提交：提交后的自动确认出错，请稍后重试。")) from error
        application.refresh_from_db()
    return application


def application_withdraw(*, application_id: int, actor: User) -> Application:
    """撤回信息提交: before confirmation (an automatically confirmed application cannot be withdrawn,
    seed 002 line 55) and until the confirmation deadline (seed 002 line 34)."""

    def check(application: Application) -> None:
        require_open(application.exam, Window.CONFIRMATION)

    def apply(application: Application, from_status: str) -> None:
        application.submitted_at = None

    return transition(application_id=application_id, action=Action.WITHDRAW, actor=actor, check=check, apply=apply)
