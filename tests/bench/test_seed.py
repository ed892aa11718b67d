"""The bench seed: bulk-created users must look like users the API created."""

import pytest

from bench.seed import bench_seed
from settings_app.identifiers import name_key
from settings_app.models import DashboardUser, ScimProvisioning, TeamAccess, UserRole, WorkspaceAccess
from settings_app.services.tokens import provisioning_for_token


@pytest.mark.django_db(transaction=True)  # the seed runs VACUUM, which needs autocommit on PostgreSQL
def test_seed_builds_a_company_the_api_can_serve():
    seeded = bench_seed(users=40, origin="https://bench-idp.example.com", rate_limit=1_000_000, sample=5)

    users = DashboardUser.objects.filter(company_id=seeded["company_id"])
    assert users.count() == 40
    assert all(user.email_key == name_key(user.email) for user in users)
    assert not any(user.has_usable_password() for user in users)
    provisioning = provisioning_for_token(seeded["token"])
    assert provisioning.company_id == seeded["company_id"]
    assert ScimProvisioning.objects.get(pk=provisioning.pk).rate_limit_per_day == 1_000_000
    # Every user has a workspace; some have a second one, teams, roles, a permission set.
    assert WorkspaceAccess.objects.filter(user__in=users).values("user").distinct().count() == 40
    assert WorkspaceAccess.objects.filter(user__in=users, permission_set__isnull=False).exists()
    assert TeamAccess.objects.filter(user__in=users).count() == 20
    assert UserRole.objects.filter(user__in=users).count() == 4
    assert len(seeded["lookup_ids"]) == len(seeded["patch_ids"]) == 5
    assert not set(seeded["lookup_ids"]) & set(seeded["patch_ids"])
    assert set(seeded["lookup_user_names"]) <= set(users.values_list("email", flat=True))
    assert seeded["other_company_users"] == 10
