"""The filter grammar over HTTP: each attribute and operator, URN and case rules, errors, limits; groups' filters."""

import pytest

from scim_api.filters import FILTER_TOO_DEEP, FILTER_TOO_LONG, InvalidFilter, group_filter_parse
from settings_app.models import DashboardUser, Role, UserRole
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
UNPARSABLE = "Request is unparsable, syntactically incorrect, or violates schema."
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def people(scim):
    def create(email, **extra):
        response = scim.post(USERS, minimal_user(email, **extra))
        assert response.status_code == 201, response.content
        return response.json()["id"]

    ids = {
        "ada": create("Ada@Example.com", name={"givenName": "Ada", "familyName": "Lovelace"}, externalId="EXT-1"),
        "bob": create("bob@example.com", department="finance", externalId="ext-1", active=False),
        "carol": create("carol@other.org", department="pm", name={"givenName": "Carol", "familyName": "Shaw"}),
    }
    body = minimal_user("dan@other.org")
    body[ENTERPRISE] = {"department": "Research"}
    ids["dan"] = scim.post(USERS, body).json()["id"]
    return ids


def names(scim, people, expression):
    response = scim.get(USERS, data={"filter": expression})
    assert response.status_code == 200, response.content
    by_id = {value: key for key, value in people.items()}
    return {by_id[resource["id"]] for resource in response.json()["Resources"]}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName eq "ADA@example.COM"', {"ada"}),
        ('USERNAME Eq "ada@example.com"', {"ada"}),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"', {"bob"}),
        ('userName ne "ada@example.com"', {"bob", "carol", "dan"}),
        ('userName co "EXAMPLE"', {"ada", "bob"}),
        ('userName sw "c"', {"carol"}),
        ('userName ew ".org"', {"carol", "dan"}),
        ('userName gt "c"', {"carol", "dan"}),
        ('userName le "bob@example.com"', {"ada", "bob"}),
        ("userName pr", {"ada", "bob", "carol", "dan"}),
        ('externalId eq "EXT-1"', {"ada"}),  # case-exact
        ('externalId eq "ext-1"', {"bob"}),
        ('externalId sw "EXT"', {"ada"}),
        ('externalId co "xt"', {"bob"}),
        ("externalId pr", {"ada", "bob"}),
        ("not (externalId pr)", {"carol", "dan"}),
        ('name.givenName eq "ada"', {"ada"}),  # case-insensitive
        ('name.familyName sw "SH"', {"carol"}),
        ('department eq "FINANCE"', {"bob"}),
        ("department pr", {"bob", "carol"}),
        (f'{ENTERPRISE}:department eq "research"', {"dan"}),
        ("active eq false", {"bob"}),
        ("active ne false", {"ada", "carol", "dan"}),
        ('emails.value eq "carol@OTHER.org"', {"carol"}),
        ('emails co "other"', {"carol", "dan"}),
        ('emails[type eq "work" and value co "@example"]', {"ada", "bob"}),
        ('emails[type eq "home"]', set()),
        ('emails[type eq "work"].value eq "dan@other.org"', {"dan"}),
        ('emails.type eq "work" and emails.primary eq true', {"ada", "bob", "carol", "dan"}),
        ('userName sw "a" or userName sw "b" and active eq true', {"ada"}),  # and binds tighter
        ('(userName sw "a" or userName sw "b") and active eq true', {"ada"}),
        ('(userName sw "a" or userName sw "b") and not (active eq true)', {"bob"}),
        ('meta.created gt "2000-01-01T00:00:00Z"', {"ada", "bob", "carol", "dan"}),
        ('meta.lastModified lt "2000-01-01T00:00:00Z"', set()),
        ('meta.created ge "2000-01-01"', {"ada", "bob", "carol", "dan"}),
        ('id eq "nope"', set()),
    ],
)
def test_filter_selects(scim, people, expression, expected):
    assert names(scim, people, expression) == expected


def test_id_filter(scim, people):
    assert names(scim, people, f'id eq "{people["carol"]}"') == {"carol"}


def test_inactive_users_stay_visible_to_get_and_filters(scim, people):
    assert scim.get(f"{USERS}/{people['bob']}").json()["active"] is False
    assert names(scim, people, 'userName eq "bob@example.com"') == {"bob"}


def test_filter_is_scoped_to_the_company(scim, other_scim, people):
    response = other_scim.get(USERS, data={"filter": "userName pr"})
    assert response.json()["totalResults"] == 0


def test_unicode_user_name_matches_like_uniqueness(scim, seeded):
    scim.post(USERS, minimal_user("STRASSE@example.com"))
    # NFKC + casefold: "ß" folds to "ss", full-width letters to ASCII; the same rule as the unique index.
    full_width_example = "\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45"
    response = scim.get(USERS, data={"filter": f'userName eq "straße@{full_width_example}.com"'})
    assert response.json()["totalResults"] == 1


@pytest.mark.parametrize(
    "expression",
    [
        'title eq "x"',  # not on the allow-list
        'password eq "x"',
        'userName eq "a" or nickName eq "b"',  # one unknown attribute anywhere is enough
        'urn:example:schemas:User:userName eq "a"',  # unknown schema URN
        f'{ENTERPRISE}:employeeNumber eq "1"',
        'emails[display eq "x"]',
        'members.value eq "x"',  # a Groups attribute
        "active gt true",  # operator the type forbids
        'active eq "true"',  # value of the wrong type
        "userName eq 5",
        'meta.created co "2024"',
        'meta.created gt "yesterday"',
        "userName gt null",
        "userName",
        'userName eq "a" and',
        '(userName eq "a"',
        'userName xx "a"',
        'emails[type eq "work"',
    ],
)
def test_bad_filters_are_400_invalid_filter_and_nothing_is_dropped(scim, people, expression):
    assert_scim_error(scim.get(USERS, data={"filter": expression}), 400, UNPARSABLE, "invalidFilter")


def test_filter_length_is_capped(scim, people):
    expression = 'userName eq "' + "a" * 990 + '"'
    assert_scim_error(scim.get(USERS, data={"filter": expression}), 400, FILTER_TOO_LONG, "invalidFilter")


def test_filter_depth_is_capped(scim, people):
    expression = "not (" * 21 + "active eq true" + ")" * 21
    assert_scim_error(scim.get(USERS, data={"filter": expression}), 400, FILTER_TOO_DEEP, "invalidFilter")
    shallow = "not (" * 18 + "active eq true" + ")" * 18
    assert scim.get(USERS, data={"filter": shallow}).status_code == 200


# --- groups (Role): the translation the Groups list uses ----------------------------------------------


@pytest.fixture
def roles(seeded, people):
    admins = Role.objects.create(company=seeded.company, name="Admins", external_id="G-1")
    UserRole.objects.create(role=admins, user=DashboardUser.objects.get(scim_id=people["ada"]))
    UserRole.objects.create(role=admins, user=DashboardUser.objects.get(scim_id=people["bob"]))
    return {"admins": admins, "test": seeded.test_role, "another": seeded.another_role}


def group_names(roles, expression):
    by_pk = {role.pk: key for key, role in roles.items()}
    return {by_pk[pk] for pk in Role.objects.filter(group_filter_parse(expression)).values_list("pk", flat=True)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('displayName eq "ADMINS"', {"admins"}),
        ('displayName sw "test"', {"test"}),
        ('externalId eq "G-1"', {"admins"}),
        ('externalId eq "g-1"', set()),
        ("members pr", {"admins"}),
        ("not (members pr)", {"test", "another"}),
    ],
)
def test_group_filters(roles, expression, expected):
    assert group_names(roles, expression) == expected


@pytest.mark.django_db
def test_group_member_filters(roles, people):
    assert group_names(roles, f'members.value eq "{people["ada"]}"') == {"admins"}
    assert group_names(roles, f'members[value eq "{people["bob"]}"]') == {"admins"}
    assert group_names(roles, f'members.value ne "{people["ada"]}"') == {"test", "another"}
    assert group_names(roles, f'members.value eq "{people["carol"]}"') == set()
    assert group_names(roles, f'id eq "{roles["test"].public_id}"') == {"test"}


@pytest.mark.parametrize("expression", ['userName eq "a"', 'members[display eq "x"]', "displayName gt 1"])
def test_bad_group_filters(expression):
    with pytest.raises(InvalidFilter):
        group_filter_parse(expression)
