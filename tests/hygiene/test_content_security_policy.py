"""Finding: no Content-Security-Policy, and the API docs loaded Swagger UI from an unpinned CDN script
on the portal's origin. Now django-csp sends a policy of the portal's own origin with no inline
script or style, the pages pass it, and Swagger UI comes from the pinned drf-spectacular-sidecar."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from registration.models import Application

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/register/", "/admin/login/", "/api/docs/", "/certificates/verify/"]
ADMIN_PAGES = [
    "/admin/",
    "/admin/registration/application/",
    "/admin/registration/application/{id}/change/",
    "/admin/registration/application/dashboard/",
    "/admin/registration/application/confirm-by-code/",
    "/admin/payments/order/",
    "/admin/payments/order/daily-totals/",
]
CANDIDATE_PAGES = [
    "/applications/{id}/",
    "/applications/{id}/sections/site/",
    "/applications/{id}/sections/exam/",
    "/applications/{id}/sections/work/",
    "/applications/{id}/photo/",
    "/applications/{id}/materials/",
    "/accounts/degrees/",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def inline_code(html: str) -> list[str]:
    """Inline scripts (a <script> without src that is not data), <style> blocks, style and on* attributes."""
    found = []
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S):
        if "src=" not in attributes and "application/json" not in attributes and body.strip():
            found.append(f"<script{attributes}>{body[:60]}")
    found += re.findall(r"<style\b[^>]*>", html)
    found += re.findall(r'<[^>]*\sstyle="[^"]*"', html)
    found += re.findall(r"<[^>]*\son[a-z]+=\"[^\"]*\"", html)
    return found


def assert_passes_policy(response) -> None:
    assert response.status_code == 200, response
    directives = policy(response)
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_served_with_the_policy_and_pass_it(client, path):
    assert_passes_policy(client.get(path))


@pytest.mark.parametrize("role", ["sh_district", "sh_point", "admin", "sh_finance"])
def test_the_admin_pages_pass_the_policy(client, world, role):
    application = world.make_application(status="submitted")
    client.force_login(world.staff[role])
    for path in ADMIN_PAGES:
        response = client.get(path.format(id=application.pk))
        if response.status_code in {403, 404}:
            continue  # not this role's page
        assert_passes_policy(response)


def test_the_candidates_pages_pass_the_policy(client, world):
    application = world.make_application(status="draft")
    client.force_login(application.candidate)
    for path in CANDIDATE_PAGES:
        assert_passes_policy(client.get(path.format(id=application.pk)))


def test_swagger_ui_comes_from_the_pinned_sidecar_package_on_our_origin(client):
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith(("/static/", "/api/docs/")) for source in sources), sources
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()
    assert "drf_spectacular_sidecar" in settings.INSTALLED_APPS


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_sees_no_policy_violation_on_the_pages(live_server, browser, world, client):
    """Chromium reports every blocked script, style, image or connection; none may be reported."""
    application = world.make_application(status="submitted")
    draft = world.make_application(status="draft")
    visits = [(None, path) for path in PUBLIC_PAGES]
    visits += [(world.staff["admin"], path.format(id=application.pk)) for path in ADMIN_PAGES]
    visits += [(draft.candidate, path.format(id=draft.pk)) for path in CANDIDATE_PAGES]
    violations: list[str] = []
    for user, path in visits:
        context = browser.new_context()
        if user is not None:
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.on(
            "console",
            lambda message, path=path: (
                violations.append(f"{path}: {message.text}") if "Content Security Policy" in message.text else None
            ),
        )
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .info", timeout=15_000)
        violations.extend(f"{path}: {entry}" for entry in page.evaluate("window.__violations"))
        context.close()
    assert violations == []
    assert Application.objects.count() == 2
