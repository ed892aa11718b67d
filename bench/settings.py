"""The bench's settings: the production settings, with the floors' URLs added (bench/urls.py).

Only the bench's own servers load this module (bench.database.django_environment sets
DJANGO_SETTINGS_MODULE); nothing in braze_scim.settings can serve the floors.
"""

from braze_scim.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
