"""The payments app's pages and endpoints outside /api/v1/ (included once from wecan/urls.py)."""

from django.urls import include, path

urlpatterns = [
    path("", include("payments.views")),
]
