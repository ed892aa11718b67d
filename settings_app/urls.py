"""Dashboard settings pages."""

app_name = "settings_app"

urlpatterns = []
