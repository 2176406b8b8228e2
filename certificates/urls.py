"""The pages of the certificates app (included once by ``wecan.urls``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("certificates.views.candidate")),
    path("", include("certificates.views.verification")),
    path("", include("certificates.views.documents")),
]
