"""The audit trail of an application in words: who did what and why, for staff (操作记录)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registration.choices import Role
from registration.models import Application, ApplicationEvent, MaterialSlot, User
from registration.sections import SECTIONS
from registration.workflow import TRANSITIONS

# The short name of a role beside a staff member's name: "张三（报名点）".
ROLE_SHORT: dict[str, Promise] = {
    Role.CANDIDATE: gettext_lazy("考生"),
    Role.POINT_STAFF: gettext_lazy("报名点"),
    Role.SITE_REVIEWER: gettext_lazy("考点"),
    Role.DISTRICT_REVIEWER: gettext_lazy("考区"),
    Role.FINANCE: gettext_lazy("财务"),
    Role.ADMINISTRATOR: gettext_lazy("考务管理员"),
}

# What the candidate's own steps are called; workflow actions take their words from the transition table.
ACTION_WORDS: dict[str, Promise] = {
    "create": gettext_lazy("创建报名信息"),
    "change_district": gettext_lazy("修改考区"),
    "photo_upload": gettext_lazy("上传照片"),
    "photo_use_account": gettext_lazy("使用账号照片"),
    "photo_accepted": gettext_lazy("照片检查合格"),
    "photo_rejected": gettext_lazy("照片检查不合格"),
    "photo_pending": gettext_lazy("照片等待检查"),
    "material_upload": gettext_lazy("上传证明材料"),
    "material_replace": gettext_lazy("更换证明材料"),
    "material_delete": gettext_lazy("删除证明材料"),
    "materials_finalize": gettext_lazy("上传全部证明材料"),
    **{action.value: transition.description for action, transition in TRANSITIONS.items()},
}
_MATERIAL_ACTIONS = {"material_upload", "material_replace", "material_delete"}
_SAVE_PREFIX = "save_"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    text: str
    # Consecutive section saves by one person are one entry; this counts the events it stands for.
    events: int = 1


def actor_words(actor: User | None) -> str:
    """ "张三（报名点）"; the system when no one acted (a deadline sweep, a background check)."""
    if actor is None:
        return _("系统")
    name = actor.name or actor.username
    if actor.is_superuser and actor.role == Role.CANDIDATE:
        return _("%(name)s（考务管理员）") % {"name": name}
    return _("%(name)s（%(role)s）") % {"name": name, "role": ROLE_SHORT.get(actor.role, actor.role)}


def _section_title(action: str) -> str:
    form = SECTIONS.get(action.removeprefix(_SAVE_PREFIX))
    return str(form.title) if form else action


def _describe(event: ApplicationEvent, slot_titles: dict[str, str]) -> str:
    words = ACTION_WORDS.get(event.action)
    what = str(words) if words is not None else event.action
    reason = event.reason
    if event.action in _MATERIAL_ACTIONS and reason in slot_titles:
        reason = slot_titles[reason]
    text = f"{actor_words(event.actor)}{what}"
    return _("%(text)s：%(reason)s") % {"text": text, "reason": reason} if reason else text


def application_history(*, application: Application) -> list[HistoryEntry]:
    """The application's events oldest first, in words; saves of sections in a row become one entry."""
    events = list(ApplicationEvent.objects.filter(application=application).select_related("actor"))
    slot_titles = dict(MaterialSlot.objects.filter(district_id=application.district_id).values_list("code", "title"))
    entries: list[HistoryEntry] = []
    index = 0
    while index < len(events):
        event = events[index]
        if not event.action.startswith(_SAVE_PREFIX):
            entries.append(HistoryEntry(at=event.created_at, text=_describe(event, slot_titles)))
            index += 1
            continue
        run = [event]
        while (
            index + len(run) < len(events)
            and events[index + len(run)].action.startswith(_SAVE_PREFIX)
            and events[index + len(run)].actor_id == event.actor_id
        ):
            run.append(events[index + len(run)])
        titles = "、".join(dict.fromkeys(_section_title(item.action) for item in run))
        entries.append(
            HistoryEntry(
                at=run[-1].created_at,
                text=_("%(actor)s保存%(sections)s")
                % {"actor": actor_words(event.actor), "sections": titles},
                events=len(run),
            )
        )
        index += len(run)
    return entries
