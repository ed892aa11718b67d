"""The project's URLs plus the bench's floors, under /bench/floors/ (served only with bench.settings)."""

from django.urls import path

from bench import floors
from braze_scim.urls import handler400, handler500
from braze_scim.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/floors/l1", floors.l1, name="bench-floor-l1"),
    path("bench/floors/l2a", floors.l2a, name="bench-floor-l2a"),
    *project_urlpatterns,
]
