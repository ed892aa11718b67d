"""Dashboard settings pages."""

from django.urls import path

from settings_app import views

app_name = "settings_app"

urlpatterns = [
    path("admin/company/", views.CompanyChooseView.as_view(), name="company_choose"),
    path("admin/scim-provisioning/", views.ScimProvisioningView.as_view(), name="scim_provisioning"),
    path("admin/scim-provisioning/reset-token/", views.ScimTokenResetView.as_view(), name="scim_token_reset"),
    path("admin/scim-provisioning/disable/", views.ScimDisableView.as_view(), name="scim_disable"),
    path("admin/scim-provisioning/check-token/", views.ScimTokenCheckView.as_view(), name="scim_token_check"),
]
