"""Every list and every form of the admin a superuser opens is in Chinese: the exam's catalogue (exam,
districts, cities, sites, points, fees, specialties), the arrangement (timetable, venues and rooms,
seats), payments, scores and certificates, identity appeals, accounts and their groups and
permissions, the login records. Checked at desktop and tablet size for English in the visible text and
the accessible names, for fitting the screen, and saved as screenshots under test-results/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessLog
from django.contrib import admin
from django.urls import reverse

from registration.models import City, District, Site, User
from tests.admin_rows import add_rows
from tests.browser.test_backoffice_journey import DESKTOP, SCREENSHOTS, TABLET, english_on, named, staff_context
from tests.files.helpers import use_private_storage
from tests.review.conftest import world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_pages(superuser: User) -> list[tuple[str, str]]:
    """(name, path) of each registered table's list and of one of its rows' form (the add form when empty)."""
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        name = f"{opts.app_label}-{opts.model_name}"
        pages.append((f"{name}-list", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            form = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        else:
            form = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        pages.append((f"{name}-form", form))
    return pages


def data_words() -> set[str]:
    """Latin letters the data itself holds: account names and the districts' own codes."""
    held = [*User.objects.values_list("username", flat=True)]
    for model in (District, City, Site):
        held += model.objects.values_list("code", flat=True)
    return set(re.findall(r"[A-Za-z]{2,}", " ".join(held)))


def test_every_admin_page_a_superuser_opens_is_in_chinese_and_fits_the_screen(
    world,  # noqa: F811
    browser,
    live_server,
    settings,
    tmp_path,
):
    use_private_storage(settings, tmp_path)
    named(world)
    add_rows(world, 2)
    superuser = world.staff["admin"]
    User.objects.filter(pk=superuser.pk).update(is_superuser=True, name="孙八")
    superuser.refresh_from_db()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, set[str]] = {}
    too_wide: dict[str, int] = {}
    refused: dict[str, int] = {}
    pages = admin_pages(superuser)
    assert len(pages) >= 70  # every table: the catalogue, the arrangement, payments, scores, accounts
    for name, path in pages:
        ignored = data_words()
        for label, viewport in (("desktop", DESKTOP), ("tablet", TABLET)):
            page = staff_context(browser, live_server, superuser, viewport)
            # Logging the browser in wrote a login record: only the rows written above are shown.
            AccessLog.objects.filter(user_agent="<unknown>").delete()
            response = page.goto(live_server.url + path)
            if response is None or response.status != 200:
                refused[f"{name} {label}"] = response.status if response else 0
                page.context.close()
                continue
            english = english_on(page) - ignored
            if english:
                found[f"{name} {label}"] = english
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide[f"{name} {label}"] = width
            page.screenshot(path=str(SCREENSHOTS / f"admin-{name}-{label}.png"), full_page=True)
            page.context.close()

    assert refused == {}, refused
    assert found == {}, found
    assert too_wide == {}, too_wide
