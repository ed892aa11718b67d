"""The catalogue of Braze permission strings, by level.

Source: Braze's SCIM API appendix (legacy and granular tabs), as gathered in
the project's contract notes. Braze accepts legacy and granular strings side by
side, so each level accepts the union. Every write of a permission string goes
through `validate_permissions`, which returns the canonical spelling.
"""

from collections.abc import Iterable

COMPANY = "company"
WORKSPACE = "workspace"
TEAM = "team"

COMPANY_PERMISSIONS = frozenset({"admin", "manage_company_settings", "add_remove_app_groups"})

# The company permissions that let a user configure SCIM provisioning.
COMPANY_SETTINGS_PERMISSIONS = frozenset({"admin", "manage_company_settings"})

LEGACY_WORKSPACE_PERMISSIONS = frozenset(
    """
    admin basic_access approve_deny_campaigns send_campaigns_canvases publish_cards
    edit_segments export_user_data view_pii view_user_profile manage_dashboard_users
    manage_media_library view_usage_data import_update_user_data view_billing_details
    dev_console launch_content_blocks manage_external_integrations manage_apps
    manage_teams manage_events_attributes_purchases manage_tags manage_email_settings
    manage_subscription_groups manage_approval_settings manage_catalogs_dashboard_permission
    """.split()
)

LEGACY_TEAM_PERMISSIONS = frozenset(
    """
    admin basic_access approve_deny_campaigns send_campaigns_canvases publish_cards
    edit_segments export_user_data view_user_profile manage_dashboard_users
    manage_media_library
    """.split()
)

GRANULAR_WORKSPACE_PERMISSIONS = frozenset(
    """
    view_campaigns edit_campaigns archive_campaigns
    view_canvases edit_canvases archive_canvases
    view_frequency_caps edit_frequency_caps
    view_message_prioritization edit_message_prioritization
    view_content_blocks edit_content_blocks archive_content_blocks
    view_feature_flags edit_feature_flags archive_feature_flags
    view_segments edit_segments archive_segments
    view_global_control_group edit_global_control_group
    view_iam_templates edit_iam_templates archive_iam_templates
    view_email_templates edit_email_templates archive_email_templates
    view_webhook_templates edit_webhook_templates archive_webhook_templates
    view_link_templates edit_link_templates
    view_media_library_assets
    view_locations edit_locations archive_locations
    view_promotion_codes edit_promotion_codes export_promotion_codes
    view_preference_centers edit_preference_centers
    edit_reports
    view_placements edit_placements archive_placements
    view_banner_templates
    view_multi_language_settings
    use_operator
    view_decisioning_studio_agents view_decisioning_studio_audience
    view_decisioning_studio_conversion_event view_decisioning_studio_guardrails
    launch_campaigns launch_canvases
    edit_dashboard_users
    edit_media_library_assets delete_media_library_assets
    view_import_users import_users edit_user_data
    view_user_merge_records merge_duplicate_users
    view_api_keys edit_api_keys
    view_internal_user_groups edit_internal_user_groups delete_internal_user_groups
    view_message_activity_log view_event_user_log view_api_identifiers
    view_api_usage_dashboard view_api_limits
    view_api_usage_alerts edit_api_usage_alerts
    view_sdk_debugger edit_sdk_debugger
    launch_content_blocks
    edit_cloud_data_ingestion
    view_app_settings edit_app_settings
    view_push_settings edit_push_settings
    view_teams edit_teams archive_teams
    view_custom_attributes edit_custom_attributes blocklist_custom_attributes
    delete_custom_attributes export_custom_attributes
    view_custom_events edit_custom_events blocklist_custom_events
    delete_custom_events export_custom_events
    edit_custom_event_property_segmentation
    view_products edit_products blocklist_products
    edit_purchase_property_segmentation
    view_tags edit_tags delete_tags
    view_email_settings edit_email_settings
    view_catalogs edit_catalogs export_catalogs delete_catalogs
    view_whatsapp_settings
    edit_technology_partners
    """.split()
)

GRANULAR_TEAM_PERMISSIONS = frozenset(
    """
    view_campaigns edit_campaigns archive_campaigns
    view_canvases edit_canvases archive_canvases
    view_frequency_caps edit_frequency_caps
    view_message_prioritization edit_message_prioritization
    view_content_blocks
    view_feature_flags edit_feature_flags archive_feature_flags
    view_segments edit_segments
    edit_global_control_group
    view_iam_templates edit_iam_templates archive_iam_templates
    view_email_templates edit_email_templates archive_email_templates
    view_webhook_templates edit_webhook_templates archive_webhook_templates
    view_link_templates edit_link_templates
    view_media_library_assets
    view_locations edit_locations archive_locations
    view_promotion_codes edit_promotion_codes export_promotion_codes
    view_preference_centers edit_preference_centers
    view_reports create_reports edit_reports
    view_banner_templates
    view_multi_language_settings
    use_operator
    view_decisioning_studio_agents
    launch_campaigns launch_canvases
    edit_dashboard_users
    view_decisioning_studio_conversion_event
    """.split()
)
# (view_decisioning_studio_conversion_event appears at team level only in an
# older version of Braze's table; accepting it keeps older scripts working.)

# Old spellings Braze still accepts, mapped to the current one.
ALIASES = {"delete_media_library_asset": "delete_media_library_assets"}

PERMISSIONS_BY_LEVEL = {
    COMPANY: COMPANY_PERMISSIONS,
    WORKSPACE: LEGACY_WORKSPACE_PERMISSIONS | GRANULAR_WORKSPACE_PERMISSIONS,
    TEAM: LEGACY_TEAM_PERMISSIONS | GRANULAR_TEAM_PERMISSIONS,
}

LEVEL_LABELS = {COMPANY: "company", WORKSPACE: "workspace", TEAM: "team"}


class UnknownPermission(ValueError):
    """A permission string that is not valid at the level it was given for."""

    def __init__(self, value: object, level: str):
        self.value = value
        self.level = level
        super().__init__(f"Unknown {LEVEL_LABELS[level]} permission: {value!r}")


def canonical_permission(value: object, level: str) -> str:
    """Return the canonical spelling of one permission string, or raise UnknownPermission."""
    if not isinstance(value, str):
        raise UnknownPermission(value, level)
    canonical = ALIASES.get(value, value)
    if canonical not in PERMISSIONS_BY_LEVEL[level]:
        raise UnknownPermission(value, level)
    return canonical


def validate_permissions(values: Iterable[object], level: str) -> list[str]:
    """Canonicalise a list of permission strings, de-duplicated, in the order given."""
    canonical = (canonical_permission(value, level) for value in values)
    return list(dict.fromkeys(canonical))
