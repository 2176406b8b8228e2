"""What the candidate does next: one sentence for the 状态信息 box, and the page that does it.

The order is the seeds': the six sections, then the photo (seed 002 (7): "系统会自动跳转至上传照片
页面"), then the materials where the district confirms online (seed 001), then 提交信息; after
that the candidate waits for 报名确认 and 资格审核, and pays where the district takes fees online.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from registration.models.application import Application, ApplicationStatus, PhotoStatus
from registration.sections import SECTION_KEYS, SECTIONS
from registration.windows import Window, content_window, deadline_text, is_open, moment_text, window_bounds

S = ApplicationStatus


@dataclass(frozen=True)
class NextStep:
    """``page`` is a URL name taking ``application_id`` (and ``page_kwargs``), or "" when nothing is to do."""

    sentence: str
    page: str = ""
    action: str = ""
    page_kwargs: dict[str, Any] = field(default_factory=dict)


def _first_unsaved_section(application: Application) -> str | None:
    for key in SECTION_KEYS:
        if getattr(application, f"{key}_saved_at") is None:
            return key
    return None


def _filling(application: Application) -> NextStep:
    """The step of a draft: the first thing not done, in the seeds' order (after a withdrawal, by the
    confirmation deadline: seed 002 line 34)."""
    window = content_window(application)
    closes = window_bounds(application.exam, window)[1]
    if not is_open(application.exam, window):
        if window == Window.CONFIRMATION:
            return NextStep(_("报名确认已于%(deadline)s截止，视为放弃本次考试。") % {"deadline": deadline_text(closes)})
        return NextStep(_("网上报名已于%(deadline)s截止。") % {"deadline": deadline_text(closes)})
    deadline = {"deadline": deadline_text(closes)}
    section = _first_unsaved_section(application)
    if section is not None:
        title = SECTIONS[section].title
        return NextStep(
            _("请在%(deadline)s前填写“%(section)s”，每页保存后自动进入下一页。") % {**deadline, "section": title},
            page="application-section",
            action=_("填写%(section)s") % {"section": title},
            page_kwargs={"section": section},
        )
    if application.photo_status == PhotoStatus.PENDING:
        return NextStep(_("照片正在检查，通常不到一分钟，结果会显示在上传照片页。"), "application-photo", _("查看照片"))
    if application.photo_status != PhotoStatus.ACCEPTED:
        sentence = (
            _("照片未通过检查，请按原因处理后在%(deadline)s前重新上传。")
            if application.photo_status == PhotoStatus.REJECTED
            else _("请在%(deadline)s前上传本人近期证件照。")
        )
        return NextStep(sentence % deadline, "application-photo", _("上传照片"))
    if application.district.online_confirmation and not application.materials_finalized:
        return NextStep(
            _("请打印报名表，签字盖章后与证明材料一起在%(deadline)s前上传，再点击“上传全部证明材料”。") % deadline,
            "application-materials",
            _("上传材料"),
        )
    return NextStep(
        _("请核对报名信息，在%(deadline)s前点击“提交报名信息”。") % deadline, "application-review", _("核对并提交")
    )


def next_step(application: Application) -> NextStep:
    """What the candidate does next, and by when, in one sentence (the 状态信息 box of every page)."""
    exam, district, status = application.exam, application.district, application.status
    confirmation = {"deadline": deadline_text(exam.confirmation_deadline)}
    if status == S.DRAFT:
        return _filling(application)
    if status == S.SUBMITTED:
        if district.online_confirmation:
            return NextStep(
                _("报名信息已提交，报名点将在%(deadline)s前审核您上传的材料，结果显示在“报名确认”节点。") % confirmation
            )
        return NextStep(
            _("请在%(deadline)s前携带打印的报名表和相关材料，到所选考点或其下设报名点完成报名确认，逾期视为放弃考试。")
            % confirmation,
            "application-form-pdf",
            _("打印报名表"),
        )
    if status == S.CONFIRMATION_REJECTED:
        page = "application-materials" if district.online_confirmation else "application-overview"
        return NextStep(
            _("报名确认未通过：请按下面的原因修改，并在%(deadline)s前重新提交，逾期视为放弃考试。") % confirmation,
            page,
            _("修改并重新提交"),
        )
    if status == S.CONFIRMED:
        return NextStep(_("报名已确认，请等待考点初审和考区终审，结果显示在“资格审核”节点。"))
    if status == S.SITE_APPROVED:
        return NextStep(_("考点初审已通过，请等待考区终审，结果显示在“资格审核”节点。"))
    if status == S.REVIEW_REJECTED:
        return NextStep(_("资格审核未通过，本次考试的报名已结束。"))
    registered_without_fee = status == S.APPROVED and not district.online_payment
    if status == S.APPROVED and not registered_without_fee:
        return NextStep(
            _("资格审核已通过，请在%(deadline)s前完成网上缴费，逾期视为放弃考试。")
            % {"deadline": deadline_text(exam.payment_closes)},
            "payment",
            _("网上缴费"),
        )
    if status == S.PAID or registered_without_fee:
        return NextStep(
            _("报名成功。请在%(opens)s至%(closes)s期间打印准考证。")
            % {"opens": moment_text(exam.ticket_opens), "closes": deadline_text(exam.ticket_closes)}
        )
    if status == S.REFUNDED:
        return NextStep(_("报名费已退还，本次报名已取消。"))
    return NextStep(_("未在规定时间内完成报名，视为放弃本次考试。"))
