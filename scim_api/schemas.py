"""What /Schemas, /ResourceTypes and /ServiceProviderConfig publish (RFC 7643 §5-7).

The User schema describes every attribute a User resource carries, Braze's
included, with the mutability, returned, uniqueness and caseExact rules the
server applies, so that a schema-driven client (scim2-tester, an IdP's
attribute mapper) can build requests and validate responses from it.

Braze's own attributes (`department`, `createdAt`, `lastSignInAt`,
`permissions`) are listed in the core User schema rather than in an
extension URN: Braze's wire format puts them at the top level of a resource
whose `schemas` names only the core User schema, and an extension schema
would move them under `"urn:…": {...}`, breaking every Braze client.
"""

from scim_api.constants import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    USER_SCHEMA,
)
from scim_api.pagination import MAX_COUNT
from settings_app.models import Department
from settings_app.permissions import COMPANY_PERMISSIONS


def _attribute(
    name: str,
    type_: str = "string",
    *,
    description: str,
    multi_valued: bool = False,
    required: bool = False,
    case_exact: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    canonical_values: list[str] | None = None,
    reference_types: list[str] | None = None,
    sub_attributes: list[dict] | None = None,
) -> dict:
    """One attribute definition in RFC 7643 §7 form."""
    attribute = {
        "name": name,
        "type": type_,
        "multiValued": multi_valued,
        "description": description,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if canonical_values is not None:
        attribute["canonicalValues"] = canonical_values
    if reference_types is not None:
        attribute["referenceTypes"] = reference_types
    if sub_attributes is not None:
        attribute["subAttributes"] = sub_attributes
    return attribute


_PERMISSIONS = _attribute(
    "permissions",
    "complex",
    description=(
        "Braze's permissions object (company, workspace, team and role permissions). On POST and PUT it is "
        "written in Braze's form (see Braze's SCIM API appendix); absent on PUT, it is left as it is. Its "
        "`roles` and `appGroup` entries name workspaces, teams, roles and permission sets that must exist, "
        "and nest deeper than a SCIM schema can describe (RFC 7643 §2.3.8), so they are published read-only "
        "here: a schema-driven client should assign roles through /Groups."
    ),
    sub_attributes=[
        _attribute(
            "companyPermissions",
            multi_valued=True,
            case_exact=True,
            description="Company-level permission strings.",
            canonical_values=sorted(COMPANY_PERMISSIONS),
        ),
        _attribute(
            "roles",
            "complex",
            multi_valued=True,
            mutability="readOnly",
            description="The user's roles: roleName, roleId and the role's appGroup grants.",
            sub_attributes=[
                _attribute("roleName", description="The role's name.", mutability="readOnly"),
                _attribute("roleId", description="The role's id.", mutability="readOnly", case_exact=True),
            ],
        ),
        _attribute(
            "appGroup",
            "complex",
            multi_valued=True,
            mutability="readOnly",
            description=(
                "Workspace grants: appGroupId, appGroupName, appGroupPermissions or appGroupPermissionSets, team."
            ),
            sub_attributes=[
                _attribute("appGroupId", description="The workspace id.", mutability="readOnly", case_exact=True),
                _attribute("appGroupName", description="The workspace name.", mutability="readOnly"),
                _attribute(
                    "appGroupPermissions",
                    multi_valued=True,
                    case_exact=True,
                    mutability="readOnly",
                    description="Workspace-level permission strings.",
                ),
            ],
        ),
    ],
)

USER_SCHEMA_ATTRIBUTES = [
    _attribute(
        "userName",
        required=True,
        mutability="immutable",
        uniqueness="global",
        description=(
            "The user's email address: the dashboard login. Unique across the instance, matched "
            "case-insensitively; it cannot be changed once set."
        ),
    ),
    _attribute(
        "name",
        "complex",
        required=True,
        description="The user's name.",
        sub_attributes=[
            _attribute("givenName", required=True, description="Given (first) name."),
            _attribute("familyName", required=True, description="Family (last) name."),
        ],
    ),
    _attribute(
        "department",
        description="Braze's department code (it decides which Braze communications the user receives).",
        canonical_values=list(Department.values),
    ),
    _attribute("active", "boolean", description="Whether the user can sign in to the dashboard."),
    _attribute(
        "emails",
        "complex",
        multi_valued=True,
        mutability="readOnly",
        description="The user's email, which is the userName.",
        sub_attributes=[
            _attribute("value", description="The email address.", mutability="readOnly"),
            _attribute("type", description="Always work.", mutability="readOnly", canonical_values=["work"]),
            _attribute("primary", "boolean", description="Always true.", mutability="readOnly"),
        ],
    ),
    _attribute(
        "createdAt",
        mutability="readOnly",
        case_exact=True,
        description="When the user was created, in Braze's form `2024 Nov 11, 4:20 PM` (UTC), or N/A.",
    ),
    _attribute(
        "lastSignInAt",
        mutability="readOnly",
        case_exact=True,
        description="When the user last signed in, in Braze's form `2024 Nov 11, 4:20 PM` (UTC), or N/A.",
    ),
    _PERMISSIONS,
]

GROUP_SCHEMA_ATTRIBUTES = [
    _attribute(
        "displayName",
        required=True,
        uniqueness="server",
        description="The Braze role's name (unique in the company, case-insensitively).",
    ),
    _attribute(
        "members",
        "complex",
        multi_valued=True,
        description="The users who hold the role.",
        sub_attributes=[
            _attribute("value", mutability="immutable", case_exact=True, description="The member's id."),
            _attribute("display", mutability="readOnly", description="The member's userName."),
            _attribute(
                "$ref",
                "reference",
                mutability="immutable",
                case_exact=True,
                reference_types=["User"],
                description="The member's URI.",
            ),
            _attribute(
                "type", mutability="immutable", canonical_values=["User"], description="The member's resource type."
            ),
        ],
    ),
]

ENTERPRISE_USER_SCHEMA_ATTRIBUTES = [
    _attribute(
        "department",
        description=(
            "A department name. One that names a Braze department (by code or label, in any case) sets "
            "the user's Braze department; any other is kept here as sent."
        ),
    ),
]

_SCHEMAS = [
    (USER_SCHEMA, "User", "User Account (Braze dashboard user)", USER_SCHEMA_ATTRIBUTES),
    (GROUP_SCHEMA, "Group", "Group (Braze role)", GROUP_SCHEMA_ATTRIBUTES),
    (ENTERPRISE_USER_SCHEMA, "EnterpriseUser", "Enterprise User", ENTERPRISE_USER_SCHEMA_ATTRIBUTES),
]


def schema_resources(*, location_for) -> list[dict]:
    """Every published Schema resource; `location_for(urn)` gives its meta.location."""
    return [
        {
            "schemas": [SCHEMA_SCHEMA],
            "id": urn,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": location_for(urn)},
        }
        for urn, name, description, attributes in _SCHEMAS
    ]


def resource_type_resources(*, location_for, endpoint_for) -> list[dict]:
    """The User and Group ResourceTypes; `endpoint_for(name)` gives the endpoint path relative to the base."""
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": endpoint_for("User"),
            "description": "Braze dashboard user",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_USER_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": location_for("User")},
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": endpoint_for("Group"),
            "description": "Braze role",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": location_for("Group")},
        },
    ]


def service_provider_config(*, location: str, documentation_uri: str | None = None) -> dict:
    """What the server supports (RFC 7643 §5), truthfully."""
    config = {
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": (
                    "The SCIM token generated on the SCIM Provisioning settings page, sent as "
                    "`Authorization: Bearer <token>`, with X-Request-Origin set to the Service Origin."
                ),
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": location},
    }
    if documentation_uri:
        config["documentationUri"] = documentation_uri
    return config
