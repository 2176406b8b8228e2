"""成绩合并: site staff link last year's record of a candidate whose ID type or number changed.

Seed 002 line 60 and seed 003 lines 594–598: without a merge the candidate sits as a new one and
last year's scores do not roll over. A merge is found by last year's 档案号 or 准考证号, written with
an audit event on the application, and revoked (never deleted) by an administrator.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Application, ApplicationEvent, HistoryRecord, ScoreMerge, ScoreMergeFoundBy, User
from review.errors import NotAllowed
from review.scope import Duty, application_in_scope, is_administrator
from review.services.decisions import require_duty
from wecan.errors import Conflict, InvalidInput, InvalidState, NotFound

MERGE_ACTION = "score_merge"
REVOKE_ACTION = "score_merge_revoked"


def _event(application: Application, *, action: str, actor: User, reason: str) -> None:
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        action=action,
        from_status=application.status,
        to_status=application.status,
        reason=reason,
    )


def score_merge_create(*, application_id: int, actor: User, number: str) -> ScoreMerge:
    """Links the person who sat last year under the 档案号 or 准考证号 ``number`` to the candidate of
    ``application_id`` (in the actor's scope, else ``NotFound``).

    The caller may rely on: ``InvalidInput`` when no record of last year has that number, or it is
    the candidate's own; ``Conflict`` when the number names more than one person, or either side is
    already merged; otherwise the merge and its audit event are written together.
    """
    require_duty(actor, Duty.MERGE_SCORES)
    number = number.strip()
    if not number:
        raise InvalidInput(fields={"number": [_("请填写档案号或上一年度准考证号。")]})
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("exam", "candidate")
            .filter(pk=application_id)
            .first()
        )
        if application is None or not application_in_scope(actor, application):
            raise NotFound()
        year = application.exam.year - 1
        records = list(
            HistoryRecord.objects.filter(exam_year=year).filter(Q(file_number=number) | Q(ticket_number=number))
        )
        digests = {record.id_number_digest for record in records}
        if not digests:
            raise InvalidInput(
                fields={
                    "number": [
                        _("%(year)d年度没有档案号或准考证号为“%(number)s”的考生记录。")
                        % {"year": year, "number": number}
                    ]
                }
            )
        if len(digests) > 1:
            raise Conflict(_("“%(number)s”对应多名考生，请核对后再试。") % {"number": number})
        digest = digests.pop()
        if digest == application.candidate.id_number_digest:
            raise InvalidInput(fields={"number": [_("这是该考生本人证件号码下的记录，无需合并。")]})
        found_by = (
            ScoreMergeFoundBy.FILE_NUMBER
            if any(record.file_number == number for record in records)
            else ScoreMergeFoundBy.TICKET_NUMBER
        )
        merge = ScoreMerge(
            candidate=application.candidate,
            application=application,
            exam_year=year,
            id_number_digest=digest,
            found_by=found_by,
            number=number,
            merged_by=actor,
        )
        merge.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                merge.save()
        except IntegrityError:
            raise Conflict(_("该记录或该考生已进行过成绩合并；如需更改，请管理员先撤销原合并。")) from None
        _event(
            application,
            action=MERGE_ACTION,
            actor=actor,
            reason=_("成绩合并：按%(by)s“%(number)s”合并%(year)d年度成绩")
            % {"by": merge.get_found_by_display(), "number": number, "year": year},
        )
    return merge


def score_merge_revoke(*, merge_id: int, actor: User, reason: str) -> ScoreMerge:
    """An administrator undoes a merge, giving a reason: it stops counting and stays on record."""
    if not is_administrator(actor):
        raise NotAllowed()
    reason = reason.strip()
    if not reason:
        raise InvalidInput(fields={"reason": [_("请填写撤销原因。")]})
    with transaction.atomic():
        merge = ScoreMerge.objects.select_for_update().select_related("application").filter(pk=merge_id).first()
        if merge is None:
            raise NotFound()
        if merge.revoked_at is not None:
            raise InvalidState(_("该成绩合并已撤销。"))
        merge.revoked_at = timezone.now()
        merge.revoked_by = actor
        merge.revoke_reason = reason
        merge.full_clean(validate_constraints=False)
        merge.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _event(
            merge.application,
            action=REVOKE_ACTION,
            actor=actor,
            reason=_("撤销成绩合并（%(number)s）：%(reason)s") % {"number": merge.number, "reason": reason},
        )
    return merge
