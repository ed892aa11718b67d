"""Django admin: operators can inspect every model; secrets are read-only digests.

The admin cannot bypass the rules. What the services govern is read-only here:
who holds which grants (workspace and team access, roles, what a role grants),
a user's company permissions and the attributes SCIM manages, a role's name,
and what a permission set holds once it exists. Those changes go through the
services (the SCIM API, the settings page, the commands), which check the
permission catalogue, give the changed resources a new version (their ETag)
and write the audit trail. A new permission set's permissions are checked
against the catalogue here.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from settings_app import models
from settings_app.permissions import WORKSPACE, UnknownPermission, validate_permissions


class ReadOnlyInline(admin.TabularInline):
    """Grants shown for inspection; they change only through the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "public_id"]
    list_filter = ["company"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id"]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "public_id"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id"]


class PermissionSetForm(forms.ModelForm):
    class Meta:
        model = models.PermissionSet
        fields = ["name", "company", "permissions"]

    def clean_permissions(self):
        values = self.cleaned_data["permissions"]
        if not isinstance(values, list):
            raise ValidationError("Enter a list of workspace permissions.", code="invalid")
        try:
            return validate_permissions(values, WORKSPACE)
        except UnknownPermission as exc:
            raise ValidationError(str(exc), code="unknown_permission") from None


@admin.register(models.PermissionSet)
class PermissionSetAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "public_id"]
    list_filter = ["company"]
    form = PermissionSetForm
    readonly_fields = ["public_id"]

    def get_readonly_fields(self, request, obj=None):
        # Users hold a set by reference: changing what it holds would change their
        # permissions without a new version or an audit event.
        return [*self.readonly_fields, "company", "permissions"] if obj is not None else self.readonly_fields


class RoleGrantInline(ReadOnlyInline):
    model = models.RoleGrant


@admin.register(models.Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "public_id", "external_id"]
    list_filter = ["company"]
    readonly_fields = ["public_id", "version", "created_at", "updated_at"]
    inlines = [RoleGrantInline]

    def get_readonly_fields(self, request, obj=None):
        # A role is a SCIM group: renaming one changes its members' resources (settings_app.services.groups).
        return [*self.readonly_fields, "name", "company", "external_id"] if obj is not None else self.readonly_fields


class WorkspaceAccessInline(ReadOnlyInline):
    model = models.WorkspaceAccess


class TeamAccessInline(ReadOnlyInline):
    model = models.TeamAccess


class UserRoleInline(ReadOnlyInline):
    model = models.UserRole


@admin.register(models.DashboardUser)
class DashboardUserAdmin(UserAdmin):
    ordering = ["email_key"]
    list_display = ["email", "given_name", "family_name", "company", "is_active", "scim_id"]
    list_filter = ["company", "is_active", "is_staff", "department"]
    search_fields = ["email", "email_key", "given_name", "family_name", "scim_id", "external_id"]
    readonly_fields = ["scim_id", "created_at", "updated_at", "last_login", "version"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["given_name", "family_name", "department", "enterprise_department"]}),
        ("Company", {"fields": ["company", "company_permissions"]}),
        ("SCIM", {"fields": ["scim_id", "external_id", "version"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "company", "password1", "password2"]})]
    filter_horizontal = []
    inlines = [WorkspaceAccessInline, TeamAccessInline, UserRoleInline]

    # What SCIM manages for a company's users: the services validate it, version it and audit it.
    scim_managed_fields = [
        "email",
        "given_name",
        "family_name",
        "department",
        "enterprise_department",
        "external_id",
        "is_active",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # A user never moves between companies: their grants and audit trail belong to one.
        # So an account with a company never becomes an operator here (DashboardUser.clean).
        # Company permissions change through the services, which check the catalogue.
        fixed = [*self.readonly_fields, "company", "company_permissions"]
        return [*fixed, *self.scim_managed_fields] if obj.company_id is not None else fixed


@admin.register(models.ScimProvisioning)
class ScimProvisioningAdmin(admin.ModelAdmin):
    list_display = ["company", "method", "default_workspace", "service_origin", "token_hint", "token_generated_at"]
    readonly_fields = [
        "token_digest",
        "token_hint",
        "token_generated_at",
        "token_generated_by",
        "token_generation",
        "created_at",
        "updated_at",
    ]


@admin.register(models.ScimRequestCount)
class ScimRequestCountAdmin(admin.ModelAdmin):
    list_display = ["company", "day", "count"]
    list_filter = ["company"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company", "action", "actor_label", "target_type", "target_id", "source_ip"]
    list_filter = ["company", "action", "actor_type"]
    search_fields = ["target_id", "actor_label"]

    # The audit trail is append-only, also for operators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
