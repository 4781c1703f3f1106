"""The Django admin with this service's site: its login goes through the API's sign-in check
(auth_api.admin.forms) and its own password change through the API's password rules
(auth_api.admin.passwords).

The forms are imported when first used: Django makes the default site while it loads the admin
modules, and those register on it; importing them here would make a second site under way."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse


class ServiceAdminSite(admin.AdminSite):
    login_template = "admin/auth_api/login.html"

    @property
    def login_form(self):  # type: ignore[override]
        from auth_api.admin.forms import AdminSignInForm

        return AdminSignInForm

    def password_change(  # type: ignore[override]  # a redirect too, not only a page
        self, request: HttpRequest, extra_context=None
    ) -> HttpResponseBase:
        """Django's own view and templates, with auth_api.admin.passwords' form and view."""
        from auth_api.admin.passwords import StaffPasswordChangeForm, StaffPasswordChangeView

        defaults = {
            "form_class": StaffPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return StaffPasswordChangeView.as_view(**defaults)(request)


class ServiceAdminConfig(AdminConfig):
    default_site = "project.admin_site.ServiceAdminSite"
