"""A logging filter for `django.request`, installed by LOGGING in braze_scim/settings.py."""

import logging


class ScimClientErrorFilter(logging.Filter):
    """Drop django.request's record of a SCIM 4xx; keep every 5xx and every other path's.

    A refused SCIM call (bad token, unknown id, invalid filter) is the client's
    business and already answered with a SCIM error body; the refusals that
    matter to an operator are logged once, concisely, by the SCIM code
    (settings_app.services.scim_access). Django would log each again as a WARNING.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status_code is None or request is None or not 400 <= status_code < 500:
            return True
        path = request.path_info
        return not (path == "/scim" or path.startswith("/scim/"))
