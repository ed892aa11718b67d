"""Reading dashboard users: one user, a user by userName, a page of users; each with its grants.

A user's grants load in one statement, whatever the user holds, and a page's
grants in one statement for the whole page. Writes live in
settings_app.services.users.
"""

import datetime
from typing import NamedTuple

from django.db.models import F, Q
from django.db.models.lookups import In

from settings_app.identifiers import is_scim_id, name_key
from settings_app.models import Company, CompanyUserCount, DashboardUser
from settings_app.services.user_grants import UserGrants, user_grants_load
from settings_app.sql import compiled_timestamps, user_by_key


def users_with_permissions(users: list[DashboardUser]) -> list[DashboardUser]:
    """Load the grants of `users` in one statement, however many users and grants there are.

    Afterwards `user.grants` is the user's UserGrants (see
    settings_app.services.user_grants): workspace access, team access and
    roles, each in id order, each role with what it grants, oldest first.
    """
    grants = user_grants_load([user.pk for user in users])
    for user in users:
        user.grants = grants[user.pk]
    return users


def user_get(*, company: Company, scim_id: str) -> DashboardUser | None:
    """The company's user with this SCIM id, grants loaded; None if there is none. Two statements."""
    if not is_scim_id(scim_id):
        return None
    user = user_by_key(company, "scim_id", scim_id)
    return users_with_permissions([user])[0] if user is not None else None


def user_get_by_user_name(*, company: Company, user_name: str) -> DashboardUser | None:
    """The company's user with this userName in any spelling that collides on create (its email_key), grants
    loaded; None if there is none. Two statements.

    What `filter=userName eq "…"` asks, the call IdPs make before every create.
    """
    user = user_by_key(company, "email_key", name_key(user_name))
    return users_with_permissions([user])[0] if user is not None else None


class UserRead(NamedTuple):
    """A user of a list page as the SCIM representation reads it: the row's values and its grants.

    A page holds up to 500 users, read as `values_list()` rows (the fields'
    converters applied) rather than model instances: `Model.__init__` per row
    was a large share of a page's Python (docs/performance.md, "A list page's
    users as rows"). The attribute names are the model's, so
    scim_api.representations reads a UserRead and a DashboardUser alike.
    """

    pk: int
    scim_id: str
    email: str
    given_name: str
    family_name: str
    department: str
    enterprise_department: str
    external_id: str
    is_active: bool
    company_permissions: list[str]
    last_login: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    grants: UserGrants


_READ_FIELDS = UserRead._fields[:-1]  # what a page reads of each user: all but the grants


def _users_read(rows: list[tuple]) -> list[UserRead]:
    grants = user_grants_load([row[0] for row in rows])
    return [UserRead(*row, grants[row[0]]) for row in rows]


def company_user_total(company: Company) -> int:
    """How many users the company has: one row kept by triggers (CompanyUserCount), not a COUNT."""
    return CompanyUserCount.objects.filter(company=company).values_list("users", flat=True).first() or 0


class _InPage(In):
    """`pk IN (<a page's ids>)`, which PostgreSQL is asked as `pk = ANY(ARRAY(<the page's ids>))`.

    Given `IN (subquery)`, PostgreSQL's planner weighs 100 primary-key probes
    against reading the whole table and, below some tens of thousands of rows,
    reads the table, so a small company's page cost more than a large one's.
    `ARRAY(subquery)` runs first, once, and the table is then read through its
    primary key whatever its size (measured: docs/performance.md). Other
    databases keep `IN` (SQLite looks each id up already).
    """

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", (*lhs_params, *rhs_params)


def user_list(
    *,
    company: Company,
    condition: Q | None = None,
    offset: int = 0,
    limit: int = 100,
    order_by: tuple[str, ...] = ("pk",),
) -> tuple[list["UserRead"], int]:
    """One page of the company's users and the total that match, in one or two queries plus the page's grants.

    `order_by` should end with the primary key so that pages never overlap or
    skip a row; the default is oldest first. The page is picked by id in a
    subquery, so skipping rows walks an index (an index-only scan of
    (company, id) for the default order on PostgreSQL) instead of reading and
    discarding every skipped user's row; only the page's rows are read.

    The total of an unfiltered list is the company's kept count
    (company_user_total): no COUNT over its users runs. A first page (`offset`
    0) is read before anything is counted: when it is not full, the matches
    end on it and its length is the total. Later pages are counted first, and
    a page past the end is not read at all.

    A page in the second half is read from the end, in the opposite order:
    the rows skipped are those after it, so the last page of 100,000 users
    skips a few dozen index entries instead of 99,900, and a walk through
    every page skips half as many in all.

    The page's users are `UserRead` rows, not model instances (see UserRead).
    """
    users = DashboardUser.objects.filter(company=company)
    if condition is not None:
        users = users.filter(condition)

    def page_rows(skip: int, take: int, *, from_the_end: bool = False) -> list[tuple]:
        ordered = users.order_by(*order_by)
        if from_the_end:
            ordered = ordered.reverse()
        page_ids = ordered.values("pk")[skip : skip + take]
        page = DashboardUser.objects.filter(_InPage(F("pk"), page_ids)).order_by(*order_by)
        with compiled_timestamps():
            return list(page.values_list(*_READ_FIELDS))

    def count() -> int:
        return company_user_total(company) if condition is None else users.count()

    if offset == 0 and limit > 0:
        page = page_rows(0, limit)
        total = len(page) if len(page) < limit else count()
        return _users_read(page), total

    total = count()
    if limit <= 0 or offset >= total:
        return [], total
    take = min(limit, total - offset)
    after = total - offset - take  # the matches after the page
    page = page_rows(after, take, from_the_end=True) if after < offset else page_rows(offset, take)
    return _users_read(page), total
