"""The candidate's pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("registration.views.home")),
    path("", include("registration.views.accounts")),
    path("", include("registration.views.appeals")),
    path("", include("registration.views.applications")),
    path("", include("registration.views.files")),
]
