"""Root URLs: the dashboard pages, the SCIM API and the Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from braze_scim import health
from scim_api.views import scim_not_found

# Requests refused before reaching a view (forged Host, middleware failures) still get
# a SCIM error body under /scim/; other paths keep Django's pages.
handler400 = "scim_api.views.bad_request"
handler500 = "scim_api.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="settings_app:scim_provisioning", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", include("settings_app.urls")),
    path("scim/v2/", include("scim_api.urls")),
    # Unknown URLs under /scim/ answer with a SCIM error body, not an HTML page.
    re_path(r"^scim(/|$)", scim_not_found),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
