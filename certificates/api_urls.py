"""Every /api/v1/ endpoint of the certificates app (included once by ``wecan.api_urls``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("certificates.apis.scores")),
    path("", include("certificates.apis.certificates")),
    path("", include("certificates.apis.documents")),
    path("", include("certificates.apis.arrangement")),
]
