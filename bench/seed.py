"""Seed a benchmark database: one company with N users across workspaces and teams.

Run as `python -m bench.seed --users N --origin URL` with DATABASE_URL pointing
at a migrated, empty database. Prints one JSON line: the bearer token, the
bench company's catalogue (for the POST body) and random samples of users for
the wrk scripts.

`bulk_create` skips `save()`, so `email_key` (and the workspace/team
`name_key`s, which go through `save()` here) is set explicitly.
"""

import argparse
import json
import os
import random
import secrets
import sys
import time

BATCH = 5_000
WORKSPACES = 10
TEAMS_PER_WORKSPACE = 4
PERMISSION_SETS = {
    "Marketers": ["basic_access", "view_campaigns", "edit_campaigns", "launch_campaigns", "view_segments"],
    "Engineers": ["basic_access", "dev_console", "view_api_keys", "edit_api_keys", "view_sdk_debugger"],
    "Viewers": ["basic_access", "view_campaigns", "view_canvases", "view_segments", "view_usage_data"],
}
WORKSPACE_PERMISSION_CHOICES = [
    ["basic_access", "send_campaigns_canvases"],
    ["basic_access", "view_campaigns", "view_canvases", "view_segments"],
    ["admin"],
    ["basic_access", "edit_segments", "export_user_data", "view_user_profile"],
]
TEAM_PERMISSION_CHOICES = [["admin"], ["basic_access", "view_campaigns"], ["edit_segments", "view_canvases"]]
ROLES = 4


def bench_seed(*, users: int, origin: str, rate_limit: int, sample: int, seed: int = 6) -> dict:
    from django.db import connection, transaction

    from settings_app.identifiers import name_key
    from settings_app.models import (
        Company,
        DashboardUser,
        Department,
        PermissionSet,
        ProvisioningMethod,
        Role,
        RoleGrant,
        ScimProvisioning,
        Team,
        TeamAccess,
        UserRole,
        Workspace,
        WorkspaceAccess,
    )
    from settings_app.permissions import TEAM, WORKSPACE, validate_permissions
    from settings_app.services.audit import Actor
    from settings_app.services.provisioning import provisioning_configure
    from settings_app.services.tokens import scim_token_issue

    # Catch a typo in the lists above before it turns into 400s under load.
    for permissions in [*PERMISSION_SETS.values(), *WORKSPACE_PERMISSION_CHOICES]:
        validate_permissions(permissions, WORKSPACE)
    for permissions in TEAM_PERMISSION_CHOICES:
        validate_permissions(permissions, TEAM)

    started = time.monotonic()
    rng = random.Random(seed)
    departments = [*Department.values, ""]

    with transaction.atomic():
        company = Company.objects.create(name="Bench Company", slug="bench-company")
        workspaces = [
            Workspace.objects.create(company=company, name=f"Workspace {n:02d}") for n in range(1, WORKSPACES + 1)
        ]
        teams = {
            workspace.pk: [
                Team.objects.create(workspace=workspace, name=f"Team {chr(65 + n)}") for n in range(TEAMS_PER_WORKSPACE)
            ]
            for workspace in workspaces
        }
        permission_sets = [
            PermissionSet.objects.create(company=company, name=name, permissions=permissions)
            for name, permissions in PERMISSION_SETS.items()
        ]
        roles = []
        for n in range(ROLES):
            role = Role.objects.create(company=company, name=f"Bench Role {n + 1}")
            RoleGrant.objects.create(role=role, workspace=workspaces[n], permission_set=permission_sets[n % 3])
            RoleGrant.objects.create(role=role, workspace=workspaces[n + 1], permissions=["basic_access"])
            roles.append(role)

        provisioning = provisioning_configure(
            company=company,
            actor=Actor.cli(),
            method=ProvisioningMethod.CUSTOM,
            default_workspace=workspaces[0],
            service_origin=origin,
        )
        # The daily limit (5,000 by default) would otherwise cut the load within seconds.
        ScimProvisioning.objects.filter(pk=provisioning.pk).update(rate_limit_per_day=rate_limit)
        token = scim_token_issue(provisioning=provisioning, actor=Actor.cli())

        # A second tenant, so every query's company scoping has rows to skip.
        other = Company.objects.create(name="Other Company", slug="other-company")
        other_workspace = Workspace.objects.create(company=other, name="Workspace 01")

    scim_ids: list[str] = []
    for start in range(0, users, BATCH):
        with transaction.atomic():
            batch = [
                _user(DashboardUser, name_key, company, n, departments) for n in range(start, min(users, start + BATCH))
            ]
            DashboardUser.objects.bulk_create(batch)
            scim_ids += [user.scim_id for user in batch]
            workspace_rows, team_rows, role_rows = [], [], []
            for user in batch:
                n = user._bench_number
                primary = workspaces[n % WORKSPACES]
                if n % 3 == 0:
                    workspace_rows.append(
                        WorkspaceAccess(user=user, workspace=primary, permission_set=permission_sets[n % 3])
                    )
                else:
                    permissions = WORKSPACE_PERMISSION_CHOICES[n % len(WORKSPACE_PERMISSION_CHOICES)]
                    workspace_rows.append(WorkspaceAccess(user=user, workspace=primary, permissions=permissions))
                if n % 4 == 0:
                    second = workspaces[(n + 5) % WORKSPACES]
                    workspace_rows.append(WorkspaceAccess(user=user, workspace=second, permissions=["basic_access"]))
                if n % 2 == 0:
                    team = teams[primary.pk][n % TEAMS_PER_WORKSPACE]
                    permissions = TEAM_PERMISSION_CHOICES[n % len(TEAM_PERMISSION_CHOICES)]
                    team_rows.append(TeamAccess(user=user, team=team, permissions=permissions))
                if n % 10 == 0:
                    role_rows.append(UserRole(user=user, role=roles[n % ROLES]))
            WorkspaceAccess.objects.bulk_create(workspace_rows)
            TeamAccess.objects.bulk_create(team_rows)
            UserRole.objects.bulk_create(role_rows)

    other_users = max(10, users // 100)
    with transaction.atomic():
        batch = [
            _user(DashboardUser, name_key, other, n, departments, domain="other.example.com")
            for n in range(other_users)
        ]
        DashboardUser.objects.bulk_create(batch)
        WorkspaceAccess.objects.bulk_create(
            WorkspaceAccess(user=user, workspace=other_workspace, permissions=["basic_access"]) for user in batch
        )

    # Planner statistics and, on PostgreSQL, the visibility map (index-only scans),
    # as autovacuum would have them on a long-lived table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    picked = rng.sample(range(users), min(users, 2 * sample))
    lookups, patches = picked[:sample], picked[sample:]
    return {
        "token": token,
        "origin": origin,
        "company_id": company.pk,
        "users": users,
        "other_company_users": other_users,
        "rows": {
            "users": DashboardUser.objects.count(),
            "workspace_access": WorkspaceAccess.objects.count(),
            "team_access": TeamAccess.objects.count(),
            "user_roles": UserRole.objects.count(),
        },
        "seconds": round(time.monotonic() - started, 1),
        "lookup_ids": [scim_ids[n] for n in lookups],
        "lookup_user_names": [_email(n) for n in lookups],
        "patch_ids": [scim_ids[n] for n in patches],
        "catalogue": {
            "workspaces": [w.name for w in workspaces],
            "teams": [t.name for t in teams[workspaces[0].pk]],
            "roles": [r.name for r in roles],
            "permission_sets": [p.name for p in permission_sets],
        },
    }


def _email(n: int, domain: str = "bench.example.com") -> str:
    return f"user{n:06d}@{domain}"


def _user(model, name_key, company, n, departments, domain="bench.example.com"):
    email = _email(n, domain)
    user = model(
        email=email,
        email_key=name_key(email),
        given_name=f"Given{n}",
        family_name=f"Family{n}",
        department=departments[n % len(departments)],
        company=company,
        external_id=f"ext-{n}",
        company_permissions=["manage_company_settings"] if n % 97 == 0 else [],
        # An unusable password, without the cost of a hasher call per user.
        password="!" + secrets.token_hex(20),
    )
    user._bench_number = n
    return user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--rate-limit", type=int, default=2_000_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braze_scim.settings")
    import django

    django.setup()
    result = bench_seed(users=args.users, origin=args.origin, rate_limit=args.rate_limit, sample=args.sample)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
