"""Root URLs: the dashboard pages, the SCIM API and the Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from braze_scim import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="settings_app:scim_provisioning", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", include("settings_app.urls")),
    path("scim/v2/", include("scim_api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
