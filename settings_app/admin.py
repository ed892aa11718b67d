"""Django admin: operators can inspect every model; secrets are read-only digests."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from settings_app import models


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


@admin.register(models.PermissionSet)
class PermissionSetAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "public_id"]
    list_filter = ["company"]
    readonly_fields = ["public_id"]


class RoleGrantInline(admin.TabularInline):
    model = models.RoleGrant
    extra = 0


@admin.register(models.Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "public_id", "external_id"]
    list_filter = ["company"]
    readonly_fields = ["public_id"]
    inlines = [RoleGrantInline]


class WorkspaceAccessInline(admin.TabularInline):
    model = models.WorkspaceAccess
    extra = 0


class TeamAccessInline(admin.TabularInline):
    model = models.TeamAccess
    extra = 0


class UserRoleInline(admin.TabularInline):
    model = models.UserRole
    extra = 0


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

    def get_readonly_fields(self, request, obj=None):
        # A user never moves between companies: their grants and audit trail belong to one.
        # So an account with a company never becomes an operator here (DashboardUser.clean).
        return [*self.readonly_fields, "company"] if obj is not None else self.readonly_fields


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
