"""Business rules shared by the settings page, the SCIM API and the management commands.

One module per concern; views and commands call these functions and nothing
else writes to the models.
"""
