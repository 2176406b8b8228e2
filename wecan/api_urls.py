"""Every endpoint of /api/v1/, gathered from the apps."""

from django.urls import include, path

urlpatterns = [
    path("", include("registration.apis.accounts")),
    path("", include("registration.apis.catalogue")),
    path("", include("registration.apis.applications")),
    path("", include("payments.apis")),
    path("", include("registration.apis.files")),
    path("", include("certificates.api_urls")),
    path("", include("review.apis")),
]
