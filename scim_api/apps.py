from django.apps import AppConfig


class ScimApiConfig(AppConfig):
    name = "scim_api"
    verbose_name = "SCIM API"
