"""A list page's timestamps on PostgreSQL: psycopg's compiled loader, the values the ORM reads."""

import datetime

import pytest
from django.db import connection

from settings_app.models import DashboardUser
from settings_app.selectors.users import user_list
from settings_app.sql import compiled_timestamps

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's timestamp loaders"),
]


def test_a_pages_timestamps_are_the_ones_the_orm_reads(company):
    signed_in = datetime.datetime(2024, 11, 11, 16, 20, 7, 123456, tzinfo=datetime.UTC)
    for number in range(3):
        DashboardUser.objects.create_user(email=f"user{number}@test.com", company=company)
    DashboardUser.objects.filter(email="user1@test.com").update(last_login=signed_in)

    page, _ = user_list(company=company)

    expected = DashboardUser.objects.filter(company=company).order_by("pk")
    assert [(user.created_at, user.updated_at, user.last_login) for user in page] == [
        (user.created_at, user.updated_at, user.last_login) for user in expected
    ]
    assert page[1].last_login == signed_in and page[1].last_login.tzinfo is datetime.UTC
    assert page[0].created_at.tzinfo is datetime.UTC


def test_inside_the_block_timestamps_load_through_psycopgs_compiled_loader():
    import psycopg

    oid = psycopg.postgres.types["timestamptz"].oid
    seen = []

    def loader_of(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        seen.append(context["cursor"].adapters.get_loader(oid, psycopg.pq.Format.TEXT))
        return result

    with connection.execute_wrapper(loader_of), compiled_timestamps(), connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [datetime.datetime(2024, 3, 1, 6, 30, tzinfo=datetime.UTC)])
        [(value,)] = cursor.fetchall()
    assert value == datetime.datetime(2024, 3, 1, 6, 30, tzinfo=datetime.UTC) and value.tzinfo is datetime.UTC
    assert seen[0].__module__.startswith(("psycopg_binary", "psycopg_c"))  # not Django's pure-Python subclass
