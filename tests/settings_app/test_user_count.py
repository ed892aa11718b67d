"""The kept count of a company's users (CompanyUserCount), and paging that uses it.

An unfiltered list's totalResults comes from that count instead of a COUNT over
the user table, and a page in the second half is read from the end; both must
give exactly what counting and skipping from the start would.
"""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from settings_app.models import Company, CompanyUserCount, DashboardUser
from settings_app.selectors.users import company_user_total, user_list
from settings_app.services.audit import Actor
from settings_app.services.users import user_create, user_delete

pytestmark = pytest.mark.django_db


def make_users(company, count, start=0):
    return DashboardUser.objects.bulk_create(
        DashboardUser(email=f"user{n:03}@test.com", email_key=f"user{n:03}@test.com", company=company)
        for n in range(start, start + count)
    )


def assert_counted(*companies):
    for company in companies:
        assert company_user_total(company) == DashboardUser.objects.filter(company=company).count()


def test_a_company_without_users_counts_zero(company):
    assert not CompanyUserCount.objects.filter(company=company).exists()
    assert company_user_total(company) == 0


def test_the_count_follows_every_way_users_come_and_go(company, company_factory):
    other = company_factory(name="Other")
    make_users(company, 5)  # bulk_create
    DashboardUser.objects.create_user(email="one@test.com", company=company)  # the ORM, one row
    scim_user = user_create(
        company=company,
        default_workspace=company.workspaces.first(),
        actor=Actor.cli(),
        user_name="scim@test.com",
        given_name="S",
        family_name="C",
    )
    DashboardUser.objects.create_user(email="nobody@test.com")  # no company: counted nowhere
    assert company_user_total(company) == 7
    assert_counted(company, other)

    user_delete(company=company, actor=Actor.cli(), scim_id=scim_user.scim_id)  # the service
    DashboardUser.objects.get(email="one@test.com").delete()  # one instance
    DashboardUser.objects.filter(company=company, email__in=["user000@test.com", "user001@test.com"]).delete()
    assert company_user_total(company) == 3

    DashboardUser.objects.filter(email="user002@test.com").update(company=other)  # moved
    DashboardUser.objects.filter(email="nobody@test.com").update(company=other)  # joins one
    DashboardUser.objects.filter(email="user003@test.com").update(company=None)  # leaves
    DashboardUser.objects.filter(company=other).update(company=other)  # not moved: unchanged
    assert (company_user_total(company), company_user_total(other)) == (1, 2)
    assert_counted(company, other)


def test_a_rolled_back_create_is_not_counted(company):
    make_users(company, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_users(company, 3, start=10)
        raise RuntimeError("abandon")
    assert company_user_total(company) == 2


def test_deleting_a_company_deletes_its_users_and_their_count(company, company_factory):
    other = company_factory(name="Other")
    make_users(company, 3)
    make_users(other, 2, start=10)
    company.delete()
    assert not CompanyUserCount.objects.filter(company_id=company.pk).exists()
    assert company_user_total(other) == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_users_already_there():
    executor = MigrationExecutor(connection)
    executor.migrate([("settings_app", "0002_query_indexes")])
    try:
        old_apps = executor.loader.project_state([("settings_app", "0002_query_indexes")]).apps
        company = old_apps.get_model("settings_app", "Company").objects.create(name="Before", slug="before")
        old_user = old_apps.get_model("settings_app", "DashboardUser")
        old_user.objects.bulk_create(
            old_user(email=f"u{n}@test.com", email_key=f"u{n}@test.com", company_id=company.pk, password="!")
            for n in range(4)
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert company_user_total(Company.objects.get(slug="before")) == 4
    DashboardUser.objects.create_user(email="after@test.com", company_id=company.pk)
    assert company_user_total(Company.objects.get(slug="before")) == 5


# --- paging -------------------------------------------------------------------


def test_an_unfiltered_total_runs_no_count_over_users(company):
    make_users(company, 12)
    with CaptureQueriesContext(connection) as queries:
        page, total = user_list(company=company, offset=5, limit=3)
    assert total == 12 and len(page) == 3
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize(
    ("condition", "order_by"),
    [
        (None, ("pk",)),
        (None, ("email_key", "pk")),
        (~Q(email_key__in=["user004@test.com", "user011@test.com"]), ("pk",)),
        (Q(email_key__gte="user005@test.com"), ("-email_key", "pk")),
    ],
    ids=["all", "sorted", "filtered", "filtered-sorted-descending"],
)
def test_every_page_from_either_end_is_the_slice_counting_from_the_start(company, condition, order_by):
    make_users(company, 23)
    everyone = DashboardUser.objects.filter(company=company)
    if condition is not None:
        everyone = everyone.filter(condition)
    expected = list(everyone.order_by(*order_by).values_list("pk", flat=True))
    for limit in (1, 4, 7, 100):
        for offset in range(len(expected) + 2):
            page, total = user_list(company=company, condition=condition, offset=offset, limit=limit, order_by=order_by)
            assert total == len(expected)
            assert [user.pk for user in page] == expected[offset : offset + limit], (offset, limit)


def test_a_page_near_the_end_skips_only_the_rows_after_it(company):
    make_users(company, 40)
    with CaptureQueriesContext(connection) as queries:
        page, total = user_list(company=company, offset=35, limit=3)
    assert total == 40
    assert [user.email for user in page] == ["user035@test.com", "user036@test.com", "user037@test.com"]
    [page_query] = [
        q["sql"].upper() for q in queries if q["sql"].upper().startswith('SELECT "SETTINGS_APP_DASHBOARDUSER"')
    ]
    assert "DESC LIMIT 3 OFFSET 2)" in page_query  # the 2 users after the page, counted from the end


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("order_by", [("pk",), ("email_key", "pk")])
def test_a_page_reads_its_rows_by_primary_key_not_the_whole_table(company, order_by):
    """Given `id IN (subquery)`, PostgreSQL read every user of a 10,000-user table for a page of 100."""
    make_users(company, 5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE settings_app_dashboarduser")
    with CaptureQueriesContext(connection) as queries:
        page, _ = user_list(company=company, offset=4_800, limit=100, order_by=order_by)
    assert len(page) == 100
    [page_query] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "settings_app_dashboarduser"."id"')]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page_query)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using settings_app_dashboarduser_pkey" in plan, plan
    assert "Seq Scan" not in plan, plan
