"""Reads: what the pages and the SCIM API show. Writes live in settings_app.services."""
