"""SCIM 2.0 endpoints under /scim/v2/."""

app_name = "scim_api"

urlpatterns = []
