from tests.scim_api.conftest import other_scim, scim, seeded  # noqa: F401 (fixtures shared with the API tests)
from tests.settings_app.conftest import settings_data  # noqa: F401
