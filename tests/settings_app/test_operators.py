"""Operator accounts (staff or superuser) belong to no company, in the database and in every write path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from settings_app.models import Company, DashboardUser, Role, TeamAccess, UserRole, WorkspaceAccess
from settings_app.selectors.users import company_user_total
from settings_app.services.demo import demo_data_seed

BEFORE = ("settings_app", "0004_scim_refusal")


@pytest.mark.django_db
@pytest.mark.parametrize("status", [{"is_staff": True}, {"is_superuser": True}], ids=["staff", "superuser"])
def test_the_database_refuses_an_operator_in_a_company(company, status):
    user = DashboardUser.objects.create_user(email="member@test.com", company=company)
    DashboardUser.objects.filter(pk=user.pk).update(**status, company=None)  # an operator without one: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        DashboardUser.objects.filter(pk=user.pk).update(company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        DashboardUser.objects.bulk_create(
            [DashboardUser(email="x@test.com", email_key="x@test.com", company=company, **status)]
        )
    assert company_user_total(company) == 0


@pytest.mark.django_db
def test_the_manager_and_model_validation_refuse_an_operator_in_a_company(company):
    with pytest.raises(IntegrityError), transaction.atomic():
        DashboardUser.objects.create_superuser(email="root@test.com", password="x", company=company)
    user = DashboardUser(email="staff@test.com", company=company, is_staff=True)
    with pytest.raises(ValidationError, match="belong to no company"):
        user.full_clean(exclude=["password"])
    assert not DashboardUser.objects.filter(email_key__in=["root@test.com", "staff@test.com"]).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_an_operators_email():
    DashboardUser.objects.create_superuser(email="root@demo.example.com", password="x")
    with pytest.raises(ValidationError, match="operator account"):
        demo_data_seed(admin_email="ROOT@demo.example.com", admin_password="x" * 12)
    assert DashboardUser.objects.get(email_key="root@demo.example.com").company_id is None


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())
    return executor.loader.project_state([target] if target else executor.loader.graph.leaf_nodes()).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_detaches_operators_and_the_user_count_triggers_survive_it_both_ways():
    old = migrate(BEFORE)
    try:
        company = old.get_model("settings_app", "Company").objects.create(name="Before", slug="before")
        workspace = old.get_model("settings_app", "Workspace").objects.create(
            company=company, name="W", name_key="w", public_id="w1"
        )
        role = old.get_model("settings_app", "Role").objects.create(
            company=company, name="R", name_key="r", public_id="r1"
        )
        team = old.get_model("settings_app", "Team").objects.create(
            workspace=workspace, name="T", name_key="t", public_id="t1"
        )
        user = old.get_model("settings_app", "DashboardUser")
        users = user.objects.bulk_create(
            user(email=f"u{n}@test.com", email_key=f"u{n}@test.com", company_id=company.pk, password="!", **status)
            for n, status in enumerate([{}, {}, {"is_superuser": True, "is_staff": True}, {"is_staff": True}])
        )
        root, staff = users[2], users[3]
        root.company_permissions = ["admin"]
        root.save()
        old.get_model("settings_app", "UserRole").objects.create(user_id=root.pk, role=role)
        old.get_model("settings_app", "WorkspaceAccess").objects.create(user_id=root.pk, workspace=workspace)
        old.get_model("settings_app", "TeamAccess").objects.create(user_id=staff.pk, team=team)
    finally:
        migrate(None)

    company = Company.objects.get(slug="before")
    root = DashboardUser.objects.get(email_key="u2@test.com")
    assert (root.company_id, root.company_permissions, root.version) == (None, [], 2)
    assert DashboardUser.objects.get(email_key="u3@test.com").company_id is None
    assert not UserRole.objects.exists() and not WorkspaceAccess.objects.exists() and not TeamAccess.objects.exists()
    assert Role.objects.get(company=company).version == 2  # a member left: a new ETag
    assert company_user_total(company) == 2

    # The triggers still keep the count after the table's rebuild (SQLite) ...
    DashboardUser.objects.create_user(email="after@test.com", company=company)
    DashboardUser.objects.filter(email_key="u0@test.com").delete()
    assert company_user_total(company) == 2

    # ... and after the migration is undone, and done again.
    old = migrate(BEFORE)
    try:
        user = old.get_model("settings_app", "DashboardUser")
        user.objects.create(email="undone@test.com", email_key="undone@test.com", company_id=company.pk, password="!")
        assert old.get_model("settings_app", "CompanyUserCount").objects.get(company_id=company.pk).users == 3
    finally:
        migrate(None)
    DashboardUser.objects.filter(email_key="u1@test.com").update(company=None)
    assert company_user_total(company) == 2
    assert company_user_total(company) == DashboardUser.objects.filter(company=company).count()
