from django.contrib.admin.apps import AdminConfig


class WecanAdminConfig(AdminConfig):
    """Django's admin with the portal's own site (``wecan.admin_site``) as ``admin.site``."""

    default_site = "wecan.admin_site.WecanAdminSite"

    def ready(self) -> None:
        super().ready()
        from wecan import admin_language

        admin_language.install()
