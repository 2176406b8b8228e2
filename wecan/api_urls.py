"""Every endpoint of /api/v1/, gathered from the apps."""

from django.urls import include, path

# The candidate's application first: its reads and saves are most of the traffic on the day
# registration opens, and each pattern tried before the one that matches costs a request time.
urlpatterns = [
    path("", include("registration.apis.applications")),
    path("", include("registration.apis.accounts")),
    path("", include("registration.apis.catalogue")),
    path("", include("payments.apis")),
    path("", include("registration.apis.files")),
    path("", include("certificates.api_urls")),
    path("", include("review.apis")),
]
