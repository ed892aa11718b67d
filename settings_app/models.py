"""The dashboard domain: companies, workspaces, users, their permissions, and SCIM setup.

Models hold data and invariants the database can enforce; rules that span
models live in `settings_app.services`.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models

from settings_app.identifiers import name_key, new_public_id, new_scim_id


class Company(models.Model):
    """The tenant. Every other row hangs off one company."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self):
        return self.name


class NamedInCompany(models.Model):
    """Shared shape of the named things a SCIM body can point at by name or id."""

    name = models.CharField(max_length=200)
    # Case-insensitive uniqueness and lookup by name (see identifiers.name_key).
    name_key = models.CharField(max_length=200, editable=False)
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class Workspace(NamedInCompany):
    """Braze's "app group": a workspace of the company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="workspaces")

    class Meta(NamedInCompany.Meta):
        constraints = [
            models.UniqueConstraint(fields=["company", "name_key"], name="workspace_name_unique"),
        ]


class Team(NamedInCompany):
    """A team inside one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")

    class Meta(NamedInCompany.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_key"], name="team_name_unique"),
        ]


class PermissionSet(NamedInCompany):
    """A named bundle of workspace-level permission strings."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="permission_sets")
    permissions = models.JSONField(default=list, blank=True)

    class Meta(NamedInCompany.Meta):
        constraints = [
            models.UniqueConstraint(fields=["company", "name_key"], name="permission_set_name_unique"),
        ]


class Role(NamedInCompany):
    """A company role; it grants permission sets (or permissions) in workspaces.

    SCIM exposes roles as Groups, so a role may carry the IdP's externalId.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="roles")
    external_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(NamedInCompany.Meta):
        constraints = [
            models.UniqueConstraint(fields=["company", "name_key"], name="role_name_unique"),
        ]
        indexes = [models.Index(fields=["company", "external_id"], name="role_company_external_id_idx")]


class RoleGrant(models.Model):
    """What a role grants in one workspace: a permission set, or plain permissions."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    permission_set = models.ForeignKey(PermissionSet, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    permissions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "workspace"], name="role_grant_unique"),
        ]


class Department(models.TextChoices):
    """Braze's department codes (they decide which Braze communications a user gets)."""

    AGENCY = "agency", "Agency / Third Party"
    BI = "bi", "BI / Analytics"
    C_SUITE = "c_suite", "C-Suite"
    ENGINEERING = "engineering", "Engineering"
    FINANCE = "finance", "Finance"
    MARKETING = "marketing", "Marketing / Editorial"
    PM = "pm", "Product Management"


OPERATOR_HAS_NO_COMPANY_MESSAGE = (
    "Operator accounts (staff or superuser) belong to no company: clear the company, or the staff and superuser status."
)


class DashboardUserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=email, **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        # Log-in is case-insensitive, like uniqueness.
        return self.get(email_key=name_key(username))


class DashboardUser(AbstractBaseUser, PermissionsMixin):
    """A Braze dashboard user; the email is the login and the SCIM userName.

    One email, one account per instance: uniqueness is on `email_key`, a
    normalised copy of the email computed in Python (identifiers.name_key), and
    the email itself keeps the spelling it was sent with.

    Operator accounts (`is_staff` or `is_superuser`) run the instance and
    belong to no company, which the database enforces: SCIM only ever sees a
    company's users, so no tenant's token can reach an operator. A superuser
    opens a company's settings page by choosing the company (settings_app.views).
    """

    email = models.CharField(max_length=254)
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=32, choices=Department.choices, blank=True)
    # An enterprise-extension department that is not one of Braze's codes is kept as sent.
    enterprise_department = models.CharField(max_length=255, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="users")
    scim_id = models.CharField(max_length=35, unique=True, default=new_scim_id, editable=False)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    company_permissions = models.JSONField(default=list, blank=True)
    # IdPs deactivate rather than delete; an inactive user cannot log in but
    # stays visible to SCIM GET and search.
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change; SCIM's meta.version / ETag.
    version = models.PositiveIntegerField(default=1)

    objects = DashboardUserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="operator_has_no_company",
                violation_error_message=OPERATOR_HAS_NO_COMPANY_MESSAGE,
            ),
        ]
        indexes = [
            models.Index(fields=["company", "id"], name="user_company_id_idx"),
            # SCIM lookups and sorts within a company (filter by userName / externalId, sortBy userName,
            # delta syncs on meta.lastModified, sortBy meta.created).
            models.Index(fields=["company", "email_key"], name="user_company_email_key_idx"),
            models.Index(fields=["company", "external_id"], name="user_company_external_id_idx"),
            models.Index(fields=["company", "updated_at"], name="user_company_updated_idx"),
            models.Index(fields=["company", "created_at"], name="user_company_created_idx"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email_key = name_key(self.email)
        super().save(*args, **kwargs)

    @property
    def last_sign_in_at(self):
        return self.last_login

    @property
    def is_operator(self) -> bool:
        return self.is_staff or self.is_superuser

    def clean(self):
        # The check constraint's rule for forms (the admin) that leave `company` out.
        super().clean()
        if self.is_operator and self.company_id is not None:
            raise ValidationError(OPERATOR_HAS_NO_COMPANY_MESSAGE, code="operator_has_no_company")

    def can_manage_company_settings(self) -> bool:
        """Whether this company user may open their company's settings (superusers choose a company instead)."""
        from settings_app.permissions import COMPANY_SETTINGS_PERMISSIONS

        return self.company_id is not None and bool(COMPANY_SETTINGS_PERMISSIONS & set(self.company_permissions))


class WorkspaceAccess(models.Model):
    """A user's permissions in one workspace: plain strings or one permission set."""

    user = models.ForeignKey(DashboardUser, on_delete=models.CASCADE, related_name="workspace_access")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    permissions = models.JSONField(default=list, blank=True)
    permission_set = models.ForeignKey(PermissionSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="workspace_access_unique"),
        ]


class TeamAccess(models.Model):
    """A user's permissions in one team."""

    user = models.ForeignKey(DashboardUser, on_delete=models.CASCADE, related_name="team_access")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    permissions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="team_access_unique"),
        ]


class UserRole(models.Model):
    """A role held by a user (a SCIM group membership)."""

    user = models.ForeignKey(DashboardUser, on_delete=models.CASCADE, related_name="user_roles")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="user_roles")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="user_role_unique"),
        ]


class ProvisioningMethod(models.TextChoices):
    CUSTOM = "custom", "Custom"
    OKTA = "okta", "Okta"
    ENTRA_ID = "entra_id", "Entra ID"


class ScimProvisioning(models.Model):
    """A company's SCIM setup. The token itself is never stored, only its SHA-256 digest."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="scim_provisioning")
    method = models.CharField(max_length=16, choices=ProvisioningMethod.choices, default=ProvisioningMethod.CUSTOM)
    default_workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    service_origin = models.CharField(max_length=255, blank=True)
    ip_allowlist = models.TextField(blank=True, help_text="As entered by the admin.")
    token_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    token_hint = models.CharField(max_length=4, blank=True, editable=False)
    token_generated_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_generated_by = models.CharField(max_length=254, blank=True, editable=False)
    # Counts issued tokens; a generate/reset form carries the value it saw, so a
    # resubmitted POST (refresh, double click) finds it stale and mints nothing.
    token_generation = models.PositiveIntegerField(default=0, editable=False)
    rate_limit_per_day = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the instance default.")
    # Set when an admin disables SCIM (the token is revoked then); cleared when a new token is issued.
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_by = models.CharField(max_length=254, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM provisioning"

    def __str__(self):
        return f"SCIM provisioning for {self.company}"

    @property
    def has_token(self) -> bool:
        return bool(self.token_digest)


class ScimToken(models.Model):
    """A token a company was issued: its public key id and digest, when and by whom it was issued and replaced.

    Never the token itself. The current token is the company's row with no
    `replaced_at` (its digest is also ScimProvisioning.token_digest, which the
    gate reads). Reset and Disable set `replaced_at`/`replaced_by`; the row
    stays, so a request made later with that token can be shown to the
    company's admin. Tokens issued before key ids have an empty `key_id`.
    Written only by settings_app.services.tokens.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=12, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=4, blank=True)  # the token's last four characters
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=254, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key_id"], condition=~models.Q(key_id=""), name="scim_token_key_id_unique"),
        ]
        indexes = [models.Index(fields=["company", "-issued_at"], name="scim_token_company_idx")]

    def __str__(self):
        return f"SCIM token {self.key_id or '…' + self.hint} of {self.company_id}"


class CompanyUserCount(models.Model):
    """How many users a company has: an unfiltered list's totalResults without a COUNT over its users.

    Kept by database triggers on the user table (migration 0003), so it is
    exact whatever inserts, deletes or moves users: the SCIM services, the
    admin, bulk_create, a queryset delete or a cascade. A row exists once the
    company has had a user; no row means none.
    """

    company = models.OneToOneField(Company, primary_key=True, on_delete=models.CASCADE, related_name="+")
    users = models.IntegerField(default=0)


# ScimRequestCount.last_path keeps the first this many characters of a longer path.
LAST_PATH_MAX_LENGTH = 255


class ScimRequestCount(models.Model):
    """Requests per company per UTC day, for the daily rate limit, and the day's last request.

    Kept in the database so the limit holds across workers and hosts. The
    statement that counts a request also records it as the last one (the last
    one wins), so the page's last use and last request cost the request nothing
    more. Only authenticated requests are counted: `last_client_ip` is an
    address the IP allowlist accepted.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    last_request_at = models.DateTimeField(null=True, blank=True)
    last_method = models.CharField(max_length=16, blank=True)
    last_path = models.CharField(max_length=LAST_PATH_MAX_LENGTH, blank=True)  # never the query string
    last_client_ip = models.CharField(max_length=45, blank=True)  # "" when unknown

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="scim_request_count_unique"),
        ]


class ScimRefusal(models.Model):
    """Refused SCIM requests of a company: one row per reason, client address and minute, with how many.

    What the SCIM page lists under "Recent authentication failures". A caller
    holding a valid token from the wrong origin or address may retry without
    end, sending a different origin each time; counting them in one row per
    reason, address and minute (the last origin sent is kept) keeps the table
    small and the page's list readable. Refusals are not audit events.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=32)  # a reason code of settings_app.services.scim_access
    client_ip = models.CharField(max_length=45, blank=True)  # "" when unknown
    minute = models.DateTimeField()  # the minute the row counts, its first second
    count = models.PositiveIntegerField(default=0)
    last_origin = models.CharField(max_length=255, blank=True)
    last_user_agent = models.CharField(max_length=255, blank=True)  # as the caller sent it
    # The replaced token used (reason "replaced_token"), the last one when several were.
    replaced_token = models.ForeignKey("ScimToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "reason", "client_ip", "minute"], name="scim_refusal_unique"),
        ]
        indexes = [models.Index(fields=["company", "-last_seen"], name="scim_refusal_recent_idx")]


class TokenCheckCount(models.Model):
    """Check a token uses per admin per minute: a limit on how fast one admin can probe tokens, across workers.

    `admin_user_id` is a DashboardUser's primary key, not a foreign key, so
    deleting a user (a SCIM DELETE) costs no lookup here.
    """

    admin_user_id = models.BigIntegerField()
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["admin_user_id", "minute"], name="token_check_count_unique")]


class AuditEvent(models.Model):
    """Who did what to which target, and from where. Append-only."""

    class Action(models.TextChoices):
        SETTINGS_SAVED = "settings_saved", "Settings saved"
        TOKEN_GENERATED = "token_generated", "Token generated"
        TOKEN_RESET = "token_reset", "Token reset"
        SCIM_DISABLED = "scim_disabled", "SCIM disabled"
        USER_CREATED = "user_created", "User created"
        USER_UPDATED = "user_updated", "User updated"
        USER_DELETED = "user_deleted", "User deleted"
        GROUP_CREATED = "group_created", "Group created"
        GROUP_UPDATED = "group_updated", "Group updated"
        GROUP_DELETED = "group_deleted", "Group deleted"
        RATE_LIMITED = "rate_limited", "SCIM rate limit reached"

    class ActorType(models.TextChoices):
        ADMIN = "admin", "Admin"
        SCIM_TOKEN = "scim_token", "SCIM token"
        CLI = "cli", "Command line"
        ANONYMOUS = "anonymous", "Anonymous"

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events")
    created_at = models.DateTimeField(auto_now_add=True)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    origin = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="audit_company_recent_idx")]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_label or self.actor_type}"
