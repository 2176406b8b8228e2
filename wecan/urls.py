from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from registration.throttling import SIGN_IN_LIMITS, throttle_page
from wecan.views import healthz

# Unknown paths under /api/ answer with the API's JSON error body (API.md v1.1).
handler404 = "wecan.views.not_found"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    # Before the admin's and the schema's: the API is most of the traffic, and each pattern tried
    # before the one that matches costs a request time.
    path("api/v1/", include("wecan.api_urls")),
    # The admin's sign-in hashes passwords like the portal's: the same limits, before the view.
    path("admin/login/", throttle_page(*SIGN_IN_LIMITS)(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from the pinned sidecar package, its start-up script a file of its own: the CSP
    # allows no inline script and no other origin.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("captcha.urls")),
]
if settings.PAYMENTS_SANDBOX_ENABLED:
    # Only where the sandbox app is installed (wecan/settings.py): elsewhere its addresses are 404.
    urlpatterns.append(path("sandbox-gateway/", include("payments_sandbox.urls")))
urlpatterns += [
    path("", include("certificates.urls")),
    path("", include("payments.urls")),
    path("", include("review.urls")),
    path("", include("registration.urls")),
]
