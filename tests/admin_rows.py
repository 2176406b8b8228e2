"""Rows for every table of the admin, written directly (test setup): the pages an administrator opens
show their columns, filters and forms with data in them, and the lists can be grown to count queries."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone
from knox.models import AuthToken

from certificates.models import (
    ArrangementJob,
    Certificate,
    Room,
    Score,
    ScoreImport,
    Seat,
    SeatChange,
    SpecialtyExamDay,
    Venue,
)
from payments.models import Discrepancy, OnSiteFee, Order, Payment, Refund, Statement, StatementLine
from registration import private_files
from registration.models import IdentityAppeal, ScoreMerge, Specialty, Subject
from review.models import Job, JobKind, Reminder
from tests.files.images import material_jpeg
from tests.review.conftest import World, make_candidate

_sequence = itertools.count(1)


def add_rows(world: World, count: int) -> None:
    """``count`` more rows in each table the admin lists, spread over the districts of ``world``.

    The appeals' pictures go to private storage: point it at the test's own folder first."""
    now = timezone.now()
    administrator = world.staff["admin"]
    for _ in range(count):
        n = next(_sequence)
        application = world.make_application(status="paid", point=[world.p1, world.p2, world.p3][n % 3])
        candidate = application.candidate
        order = Order.objects.create(
            application=application,
            district=application.district,
            number=f"2026{n:010d}",
            provider="sandbox",
            amount=Decimal("200.00"),
            level=world.specialty.level,
            specialty_code=world.specialty.code,
            specialty_name=world.specialty.name,
            subject_codes=["1", "2", "3", "4"],
            fee_per_subject=Decimal("50.00"),
            status="paid",
            expires_at=now + datetime.timedelta(days=1),
            paid_at=now,
        )
        payment = Payment.objects.create(
            order=order,
            provider="sandbox",
            trade_no=f"T{n:012d}",
            amount=order.amount,
            paid_at=now,
            source="notification",
            disposition="credited",
        )
        Refund.objects.create(payment=payment, out_request_no=f"R{n:012d}", amount=order.amount, reason="重复缴费")
        statement = Statement.objects.create(
            district=application.district, provider="sandbox", file=f"statements/{n}.csv", sha256=f"{n:064d}"
        )
        StatementLine.objects.create(
            statement=statement, line_no=1, trade_no=payment.trade_no, out_trade_no=order.number, amount=order.amount
        )
        Discrepancy.objects.create(
            district=application.district,
            statement=statement,
            kind="missing_here",
            order_number=f"2027{n:010d}",
            gateway_trade_no=f"G{n:012d}",
        )
        on_site = world.make_application(status="approved", point=world.bj1)
        OnSiteFee.objects.create(
            application=on_site,
            district=on_site.district,
            receipt_number=f"{n:010d}",
            amount=Decimal("200.00"),
            level=world.specialty.level,
            fee_per_subject=Decimal("50.00"),
        )
        appeal = IdentityAppeal.objects.create(
            account=make_candidate(),
            name="李雷",
            email=f"appeal{n}@example.cn",
            mobile="13812341234",
            id_card_key=f"appeals/{n}/card.jpg",
            holding_photo_key=f"appeals/{n}/holding.jpg",
        )
        private_files.put(appeal.id_card_key, material_jpeg(seed=n))
        private_files.put(appeal.holding_photo_key, material_jpeg(seed=n + 1))
        Reminder.objects.create(
            candidate=candidate,
            application=application,
            kind="to_pay",
            title="待缴费",
            body="请在缴费截止前完成缴费。",
            key=f"to_pay:{n}",
        )
        Job.objects.create(
            kind=JobKind.BULK_CONFIRM, created_by=world.staff["sh_point"], application_ids=[application.pk], total=1
        )
        ScoreMerge.objects.create(
            candidate=candidate,
            application=application,
            exam_year=world.exam.year - 1,
            id_number_digest=candidate.id_number_digest,
            found_by="file_number",
            number=f"A{n:08d}",
            merged_by=world.staff["sh_site"],
        )
        specialty = Specialty.objects.create(code=f"9{n:02d}", name=f"测试专业{n}", category="临床医学类", level="中级")
        SpecialtyExamDay.objects.create(exam=world.exam, specialty=specialty, date=world.exam.exam_date)
        venue = Venue.objects.create(site=application.site, name=f"第{n}考场楼", address="漕溪北路1号")
        room = Room.objects.create(venue=venue, name="101", seats=30)
        Seat.objects.create(application=application, room=room, number=1, date=world.exam.exam_date, assigned_at=now)
        SeatChange.objects.create(
            application=application, actor=administrator, from_number=None, to_number=1, reason="调换考场"
        )
        ArrangementJob.objects.create(exam=world.exam, created_by=administrator)
        Certificate.objects.create(
            number=f"C{n:010d}",
            verification_code=f"V{n:09d}",
            candidate=candidate,
            id_number_digest=candidate.id_number_digest,
            name=candidate.name,
            id_number_masked=candidate.id_number_masked,
            specialty=world.specialty,
            level=world.specialty.level,
            exam=world.exam,
            issued_on=now.date(),
        )
        ScoreImport.objects.create(original_name=f"成绩{n}.CSV", sha256=f"{n:064d}", uploaded_by=administrator)
        Score.objects.create(
            exam=world.exam,
            id_number_digest=candidate.id_number_digest,
            specialty=world.specialty,
            subject=Subject.objects.get(code="1"),
            score=Decimal("72.5"),
        )
        AuthToken.objects.create(user=candidate)
        for log in (AccessAttempt, AccessLog, AccessFailureLog):
            extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if log is AccessAttempt else {}
            log.objects.create(
                user_agent="浏览器",
                ip_address=f"10.0.0.{n % 250}",
                username=f"考生{n}",
                http_accept="*/*",
                path_info="/",
                attempt_time=now,
                **extra,
            )
