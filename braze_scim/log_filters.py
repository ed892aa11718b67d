"""Logging filters named in settings.LOGGING."""

import logging

SCIM_PATH_PREFIX = "/scim/"


class DropScimClientErrors(logging.Filter):
    """Drop `django.request`'s WARNING for a 4xx answered under /scim/; keep everything else.

    A refused SCIM call (bad token, unknown id, invalid filter) is the client's
    business and already answered with a SCIM error body; the refusals that
    matter to an operator are logged once, concisely, by the SCIM code
    (settings_app.services.scim_access). Logging each one twice doubles the
    cost of a flood of bad tokens. 5xx responses and every other path keep
    Django's record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status_code is None or status_code >= 500 or request is None:
            return True
        return not getattr(request, "path_info", "").startswith(SCIM_PATH_PREFIX)
