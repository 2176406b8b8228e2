"""The application form PDF (申请表): 200 forms rendered in a warm process, as a worker renders them
(read the application and photo, render, store), beside the naive baseline on the same HTML.

Figures: median and p95 milliseconds per form and the median PDF size (goal ≤ 80 ms, ≤ 120 KB); a
cached download through the API (goal ≤ 5 ms); the same HTML rendered by plain WeasyPrint with a
font chosen by name and no kept state (Noto Sans CJK: the baseline; WenQuanYi Zen Hei: the font
alone); the pure render without database and storage; and a name with characters only Noto has.

Run from the project folder: ``.venv/bin/python bench/pdf.py [--forms N] [--baseline N]``; ``make bench``
runs it too, on the local PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import logging
import mimetypes
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, django_env, fresh_database, manage, report

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅晓东文斌宇浩然欣怡子轩梓涵思远雨桐嘉"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=40, help="renders of each naive baseline")
    options = parser.parse_args()

    storage = tempfile.mkdtemp(prefix="wecan-bench-pdf-")
    env = django_env(fresh_database("wecan_bench_pdf"), PRIVATE_FILES_ROOT=storage)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_reference", env=env, capture=True)
    os.environ.update(env)
    import django

    django.setup()
    # One line per rendered document would bury the figures.
    logging.disable(logging.INFO)
    from django.template.loader import render_to_string
    from django.utils import timezone
    from rest_framework.test import APIClient
    from weasyprint import CSS, HTML

    from certificates.models import ApplicationDocument, DocumentKind, DocumentStatus
    from certificates.pdf import font_faces, render_pdf, resource_url
    from certificates.selectors.documents import (
        TEMPLATES,
        document_application,
        document_context,
        document_resources,
        stylesheet,
    )
    from certificates.services.documents import document_render, document_request
    from registration import private_files
    from registration.choices import Degree, Education, IdType, Role, TrainingMode
    from registration.identity import mod11_2_check_character
    from registration.models import City, DegreeRecord, District, Exam, RegistrationPoint, Site, Specialty, Unit, User
    from registration.models.application import PhotoStatus
    from registration.models.files import Photo, UploadStatus
    from registration.pii import encrypt_id_number, id_number_digest, mask_id_number
    from registration.services.accounts import user_token_issue
    from registration.services.applications import application_create, application_save_section
    from tests.files.images import photo_jpeg
    from wecan.celery import app

    # Section saves queue renders: they stay on the in-memory broker, the bench renders itself.
    app.conf.task_always_eager = False
    now = timezone.now()
    exam = Exam.objects.create(
        year=now.year,
        name=f"{now.year}年度卫生专业技术资格考试",
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=10),
        confirmation_deadline=now + datetime.timedelta(days=15),
        payment_opens=now,
        payment_closes=now + datetime.timedelta(days=20),
        ticket_opens=now,
        ticket_closes=now + datetime.timedelta(days=30),
        exam_date=(now + datetime.timedelta(days=60)).date(),
        work_years_cutoff=datetime.date(now.year - 1, 12, 31),
    )
    exam.specialties.set(Specialty.objects.all())
    district = District.objects.create(exam=exam, code="SH", name="上海", online_confirmation=False)
    city = City.objects.create(district=district, code="SH01", name="上海市区")
    site = Site.objects.create(city=city, code="SH0101", name="上海市医学考试中心考点")
    RegistrationPoint.objects.create(site=site, code="SH010101", name="徐汇区卫生人才服务中心")
    unit = Unit.objects.create(name="复旦大学附属中山医院", province="上海", city="上海")
    photo = photo_jpeg()

    applications = []
    for index in range(options.forms):
        first_17 = f"3101011985{1 + index // 28 % 12:02d}{1 + index % 28:02d}{index % 1000:03d}"
        number = first_17 + mod11_2_check_character(first_17)
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index * 7 % len(GIVEN)] + GIVEN[index * 13 % len(GIVEN)]
        candidate = User.objects.create(
            username=f"bench{index}",
            name=name,
            id_type=IdType.RESIDENT_ID,
            id_number_ciphertext=encrypt_id_number(number),
            id_number_digest=id_number_digest(number),
            id_number_masked=mask_id_number(number),
            gender="male",
            birth_date=datetime.date(1985, 1 + index // 28 % 12, 1 + index % 28),
            nationality="中国",
            role=Role.CANDIDATE,
        )
        degree = DegreeRecord.objects.create(
            candidate=candidate,
            education=Education.BACHELOR,
            certificate_number=f"10246120{index:010d}",
            school="复旦大学上海医学院",
            graduation_date=datetime.date(2008, 7, 1),
            training_mode=TrainingMode.FULL_TIME,
            major="临床医学",
            degree=Degree.BACHELOR,
            degree_certificate_number=f"1024642008{index:06d}",
        )
        application = application_create(candidate=candidate, exam=exam, district=district, pledge_accepted=True)
        sections = {
            "site": {"city": "SH01", "site": "SH0101", "registration_point": "SH010101"},
            "basic": {
                "id_valid_until": "2036-01-01",
                "gender": "male",
                "birth_date": candidate.birth_date.isoformat(),
                "ethnicity": "汉族",
                "health_status": "健康",
                "nationality": "中国",
            },
            "contact": {"address": "上海市徐汇区枫林路180号", "postcode": "200032", "mobile": "13812341234"},
            "exam": {
                "specialty": "303",
                "subjects": ["1", "2", "3", "4"],
                "current_qualification": "医师",
                "qualification_date": "2012-12",
                "practice_category": "临床执业医师",
                "first_registration_month": "2010-06",
            },
            "education": {
                "degree_record": degree.pk,
                "highest_education": "本科",
                "schooling_years": "五年制",
                "work_experience": "2008年至今在复旦大学附属中山医院心内科工作",
            },
            "work": {
                "unit": unit.pk,
                "unit_affiliation": "省(自治区、直辖市)",
                "unit_nature": "医疗卫生",
                "years_in_specialty": 15,
            },
        }
        for key, data in sections.items():
            application_save_section(application_id=application.pk, section=key, data=data, actor=candidate)
        key = f"photos/bench-{index}/photo.jpg"
        private_files.put(key, photo)
        Photo.objects.create(
            candidate=candidate,
            application=application,
            key=key,
            size=len(photo),
            status=UploadStatus.ACCEPTED,
            queued_at=now,
            checked_at=now,
        )
        application.photo_status = PhotoStatus.ACCEPTED
        application.save(update_fields=["photo_status"])
        applications.append(application)

    def queued(application) -> int:
        application.refresh_from_db()
        return document_request(
            application_id=application.pk, kind=DocumentKind.APPLICATION_FORM, version=application.verification_code
        ).pk

    # Warm: the first render loads the fonts into the process's one configuration.
    cold_ms = timed(lambda: document_render(document_id=queued(applications[0])))
    documents = [queued(application) for application in applications]
    ApplicationDocument.objects.filter(pk__in=documents).update(status=DocumentStatus.RENDERING, key="")
    render_ms = [
        timed(lambda document_id=document_id: document_render(document_id=document_id)) for document_id in documents
    ]
    sizes = list(ApplicationDocument.objects.filter(pk__in=documents).values_list("size", flat=True))
    assert len(sizes) == len(documents) and all(sizes), "every form rendered"

    # The same HTML, for the pure render and the baselines.
    sample = document_application(application_id=applications[1].pk)
    context = document_context(sample, DocumentKind.APPLICATION_FORM)
    resources = document_resources(sample, DocumentKind.APPLICATION_FORM, photo=photo)
    template = TEMPLATES[DocumentKind.APPLICATION_FORM]
    css = stylesheet(DocumentKind.APPLICATION_FORM)

    def pure() -> None:
        render_pdf(template_name=template, context=context, stylesheets=[css], resources=resources)

    pure_ms = [timed(pure) for _ in range(40)]
    # Plain WeasyPrint cannot read our in-memory resources (the photo, the barcode, the QR code): it
    # gets the same bytes as data: URIs.
    inline = {
        resource_url(name): f"data:{mimetypes.guess_type(name)[0]};base64,{base64.b64encode(content).decode()}"
        for name, content in resources.items()
    }
    form = {
        key: inline.get(value, value) if isinstance(value, str) else value for key, value in context["form"].items()
    }
    html = render_to_string(template, {"form": form})

    def naive(family: str) -> tuple[list[float], int]:
        sheet = css + f"\nhtml {{ font-family: '{family}'; }}"
        pdf = b""

        def once() -> None:
            nonlocal pdf
            pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=sheet)]) or b""

        once()
        return [timed(once) for _ in range(options.baseline)], len(pdf)

    noto_ms, noto_size = naive("Noto Sans CJK SC")
    wqy_ms, wqy_size = naive("WenQuanYi Zen Hei")

    rare = applications[2]
    User.objects.filter(pk=rare.candidate_id).update(name="阿依·𠮷䶮")
    application_save_section(application_id=rare.pk, section="contact", data=sections["contact"], actor=rare.candidate)
    rare_document = queued(rare)
    document_render(document_id=rare_document)
    rare_size = ApplicationDocument.objects.get(pk=rare_document).size or 0

    # A cached download: the candidate's GET of a ready form through the API (token, in process).
    owner = applications[3]
    client = APIClient(HTTP_HOST="127.0.0.1")  # one of the ALLOWED_HOSTS the bench runs with
    client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_issue(user=owner.candidate).key}")
    url = f"/api/v1/applications/{owner.pk}/form.pdf"

    def download() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        b"".join(response.streaming_content)

    for _ in range(20):
        download()
    download_ms = [timed(download) for _ in range(200)]

    median_ms, median_kb = statistics.median(render_ms), statistics.median(sizes) / 1024
    fonts = ", ".join(f"{family} = {path.name}" for family, path in font_faces())
    print(f"  {len(documents)} forms, {options.baseline} renders of each baseline; fonts: {fonts}")
    report(
        [
            Figure(
                "pdf", "form render median (worker: read, render, store)", median_ms, "ms", "≤ 80 ms", median_ms <= 80
            ),
            Figure("pdf", "form render p95", p95(render_ms), "ms"),
            Figure("pdf", "form PDF median size", median_kb, "KB", "≤ 120 KB", median_kb <= 120),
            Figure("pdf", "form render median, WeasyPrint only", statistics.median(pure_ms), "ms"),
            Figure(
                "pdf",
                "cached download median (API)",
                statistics.median(download_ms),
                "ms",
                "≤ 5 ms",
                statistics.median(download_ms) <= 5,
            ),
            Figure("pdf", "baseline: plain WeasyPrint, Noto Sans CJK, median", statistics.median(noto_ms), "ms"),
            Figure("pdf", "baseline: plain WeasyPrint, Noto Sans CJK, size", noto_size / 1024, "KB"),
            Figure("pdf", "plain WeasyPrint, WenQuanYi Zen Hei, median", statistics.median(wqy_ms), "ms"),
            Figure("pdf", "plain WeasyPrint, WenQuanYi Zen Hei, size", wqy_size / 1024, "KB"),
            Figure("pdf", "form with 𠮷 (Noto fallback embedded), size", rare_size / 1024, "KB"),
            Figure("pdf", "first render in a fresh process", cold_ms, "ms"),
        ]
    )
    shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
