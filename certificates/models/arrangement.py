"""The exam arrangement (考场编排): the exam's timetable, the venues and rooms of each site, and the
seat each registered candidate sits in on their exam day.

Seed 003 lines 862–866: all four subjects in one day, 90 minutes each (基础知识 8:30–10:00, ...);
where specialties sit on different days, ``SpecialtyExamDay`` gives theirs, else it is the exam's date.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ExamSession(models.Model):
    """One subject's sitting in the exam's timetable: the same times on every exam day."""

    exam = models.ForeignKey("registration.Exam", verbose_name=_("考试"), on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(
        "registration.Subject", verbose_name=_("科目"), on_delete=models.PROTECT, related_name="+"
    )
    starts = models.TimeField(_("开始时间"))
    ends = models.TimeField(_("结束时间"))

    class Meta:
        ordering = ["exam", "starts"]
        verbose_name = _("考试时间")
        verbose_name_plural = _("考试时间")
        constraints = [
            models.UniqueConstraint(fields=["exam", "subject"], name="exam_session_once_per_subject"),
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="exam_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is None or self.ends is None:
            return
        if self.starts >= self.ends:
            raise ValidationError({"ends": _("结束时间须晚于开始时间。")})
        if self.exam_id is None:
            return
        overlapping = (
            ExamSession.objects.filter(exam_id=self.exam_id, starts__lt=self.ends, ends__gt=self.starts)
            .exclude(pk=self.pk)
            .select_related("subject")
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {"starts": _("与“%(subject)s”的考试时间重叠。") % {"subject": overlapping.subject.name}}
            )


class SpecialtyExamDay(models.Model):
    """The day a specialty sits where it is not the exam's date (specialties spread over several days)."""

    exam = models.ForeignKey("registration.Exam", verbose_name=_("考试"), on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey(
        "registration.Specialty", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("考试日期"))

    class Meta:
        ordering = ["exam", "date", "specialty"]
        verbose_name = _("专业考试日期")
        verbose_name_plural = _("专业考试日期")
        constraints = [
            models.UniqueConstraint(fields=["exam", "specialty"], name="specialty_exam_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.specialty} {self.date}"


class Venue(models.Model):
    """A building where a site (考点) holds the exam; its rooms are filled in ``position`` order."""

    site = models.ForeignKey("registration.Site", verbose_name=_("考点"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("考场地点"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["site", "position", "id"]
        verbose_name = _("考场地点")
        verbose_name_plural = _("考场地点")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="venue_name_unique_per_site")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A room (考场) of a venue with its number of seats (computers)."""

    venue = models.ForeignKey(Venue, verbose_name=_("考场地点"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("考场"), max_length=50)
    seats = models.PositiveSmallIntegerField(_("座位数"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["venue", "position", "id"]
        verbose_name = _("考场")
        verbose_name_plural = _("考场")
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_name_unique_per_venue"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="room_has_a_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} {self.name}"

    def clean(self) -> None:
        # A room cannot shrink below a seat already given out: that candidate would have no computer.
        if self.pk is not None and self.seats:
            highest = Seat.objects.filter(room_id=self.pk).aggregate(highest=models.Max("number"))["highest"]
            if highest is not None and highest > self.seats:
                raise ValidationError(
                    {"seats": _("已有考生编排在第 %(seat)d 座，座位数不能少于此数。") % {"seat": highest}}
                )


class Seat(models.Model):
    """The seat of one application: a room and seat number on the candidate's exam day.

    ``date`` is copied from the timetable when seated, so the database itself keeps a seat to one
    candidate a day; ``job`` is the allocation that gave it (none once moved by a staff member).
    """

    # No foreign keys in the database, here and for the room and the job: each is checked row by row
    # (the application's check locks every one of a million wide rows; the room's and the job's,
    # deferred to the commit, took a third of the allocation's time). Seats are written only with
    # ids read in the same statement, and Django keeps the references: it deletes an application's
    # seat with it, refuses to delete a room with seats, and empties ``job`` of a deleted job.
    application = models.OneToOneField(
        "registration.Application",
        verbose_name=_("报名信息"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # No index of its own: the unique (room, date, number) serves look-ups by room; each index
    # costs the allocation's million-row insert a tenth of its time.
    room = models.ForeignKey(
        Room, verbose_name=_("考场"), on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    number = models.PositiveSmallIntegerField(_("座位号"))
    date = models.DateField(_("考试日期"))
    job = models.ForeignKey(
        "certificates.ArrangementJob",
        verbose_name=_("编排任务"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read only when a job resumes; jobs are never deleted
        db_constraint=False,
    )
    assigned_at = models.DateTimeField(_("编排时间"))

    class Meta:
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        constraints = [
            models.UniqueConstraint(fields=["room", "date", "number"], name="seat_once_per_day"),
            models.CheckConstraint(condition=Q(number__gte=1), name="seat_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.number:02d}"


class SeatChange(models.Model):
    """The audit record of a seat moved by a staff member (from where, to where, who, why), or freed
    when its candidate was no longer registered (refunded, abandoned): then there is no new seat, and
    the actor is whoever made that change (none for a deadline sweep or a gateway's notice)."""

    application = models.ForeignKey(
        "registration.Application", verbose_name=_("报名信息"), on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_room = models.ForeignKey(
        Room, verbose_name=_("原考场"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_number = models.PositiveSmallIntegerField(_("原座位号"), null=True, blank=True)
    to_room = models.ForeignKey(
        Room, verbose_name=_("新考场"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_number = models.PositiveSmallIntegerField(_("新座位号"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("调整座位记录")
        verbose_name_plural = _("调整座位记录")

    def __str__(self) -> str:
        return f"{self.application_id} → {self.to_room_id or '—'}/{self.to_number}"


class ArrangementJobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ArrangementJob(models.Model):
    """One run of the allocation over an exam (one district, or all), with its progress and report.

    ``report`` lists each site and day where candidates were left without a seat:
    ``[{"site", "site_name", "date", "waiting", "free_seats", "unseated", "reason", "numbers"}]``.
    """

    exam = models.ForeignKey("registration.Exam", verbose_name=_("考试"), on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        "registration.District",
        verbose_name=_("考区"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ArrangementJobStatus.choices, default=ArrangementJobStatus.PENDING
    )
    total = models.PositiveIntegerField(_("待编排考生"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    seated = models.PositiveIntegerField(_("已编排"), default=0)
    unseated = models.PositiveIntegerField(_("未能编排"), default=0)
    report = models.JSONField(_("未能编排明细"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("考场编排任务")
        verbose_name_plural = _("考场编排任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArrangementJobStatus.values), name="arrangement_job_status_known"
            ),
            models.CheckConstraint(condition=Q(processed__lte=F("total")), name="arrangement_job_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.exam} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in {ArrangementJobStatus.DONE, ArrangementJobStatus.FAILED}

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total


class RoomSheetStatus(models.TextChoices):
    RENDERING = "rendering", _("生成中")
    READY = "ready", _("已生成")


class RoomSheet(models.Model):
    """One version of a room's sign-in sheet (签到表) PDF for one day, rendered by a worker.

    ``version`` is a digest of what the sheet shows (seats, names, 准考证号, photos): a change in the
    room's seating makes a new one, and the older rows and their files are deleted.
    """

    room = models.ForeignKey(Room, verbose_name=_("考场"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("考试日期"))
    version = models.CharField(_("版本"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=RoomSheetStatus.choices, default=RoomSheetStatus.RENDERING
    )
    key = models.CharField(_("存储位置"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小(字节)"), null=True, blank=True)
    queued_at = models.DateTimeField(_("排队时间"))
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到表")
        verbose_name_plural = _("签到表")
        constraints = [
            models.UniqueConstraint(fields=["room", "date", "version"], name="room_sheet_version_unique"),
            models.CheckConstraint(condition=Q(status__in=RoomSheetStatus.values), name="room_sheet_status_known"),
            models.CheckConstraint(
                condition=~Q(status=RoomSheetStatus.READY) | ~Q(key=""), name="room_sheet_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.date} ({self.get_status_display()})"
