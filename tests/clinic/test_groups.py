"""Least privilege: what the "Scheduling staff" group, an Editor and a plain staff user can reach."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import reverse

from clinic import groups
from tests.scheduling import admin_factories as f
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

SCHEDULING_PAGES = [
    reverse("admin:scheduling_appointment_changelist"),
    reverse("admin:scheduling_appointment_agenda"),
    reverse("admin:scheduling_weeklyhours_changelist"),
    reverse("admin:scheduling_timeoff_changelist"),
    reverse("admin:scheduling_timeoff_add"),
    reverse("admin:scheduling_notification_changelist"),
]
OFF_LIMITS_FOR_SCHEDULING = [
    reverse("admin:auth_user_changelist"),
    reverse("admin:auth_group_changelist"),
    reverse("admin:education_article_changelist"),
    reverse("admin:clinic_auditevent_changelist"),
    reverse("admin:clinic_stafffeedtoken_changelist"),
]


def seed() -> str:
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def codenames(group_name: str) -> set[str]:
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_seed_creates_the_scheduling_staff_group_with_exactly_its_permissions():
    output = seed()

    assert "Created group 'Scheduling staff'." in output
    assert codenames(groups.SCHEDULING_STAFF) == {
        "view_appointment",
        "change_appointment",
        "add_appointment",
        "view_weeklyhours",
        "change_weeklyhours",
        "add_weeklyhours",
        "delete_weeklyhours",
        "view_timeoff",
        "change_timeoff",
        "add_timeoff",
        "delete_timeoff",
        "view_bookingrules",
        "change_bookingrules",
        "view_notification",
        "view_practiceprofile",
        "change_practiceprofile",
    }


def test_seed_is_idempotent_and_restores_a_widened_group():
    seed()
    group = Group.objects.get(name=groups.SCHEDULING_STAFF)
    group.permissions.add(Permission.objects.get(codename="delete_user"))

    output = seed()

    assert "Updated group 'Scheduling staff'." in output
    assert "delete_user" not in codenames(groups.SCHEDULING_STAFF)
    assert Group.objects.filter(name=groups.SCHEDULING_STAFF).count() == 1


@pytest.mark.parametrize("url", SCHEDULING_PAGES)
def test_scheduling_staff_reach_the_calendar(client, url):
    staff_login(client, f.scheduling_staff())

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", OFF_LIMITS_FOR_SCHEDULING)
def test_scheduling_staff_cannot_reach_users_articles_or_the_audit_trail(client, url):
    staff_login(client, f.scheduling_staff())

    assert client.get(url).status_code == 403


def test_booking_rules_open_for_scheduling_staff(client):
    staff_login(client, f.scheduling_staff())

    response = client.get(reverse("admin:scheduling_bookingrules_changelist"), follow=True)

    assert response.status_code == 200
    assert "Length of a call." in response.content.decode()


@pytest.mark.parametrize("url", SCHEDULING_PAGES)
def test_an_editor_sees_no_appointments(client, url):
    seed()
    editor = User.objects.create_user("editor", "e@clinic.example", "a-long-test-password-1", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    staff_login(client, editor)

    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:education_article_changelist")).status_code == 200


@pytest.mark.parametrize("url", SCHEDULING_PAGES)
def test_a_staff_user_outside_the_groups_sees_no_appointments(client, url):
    staff_login(client, f.plain_staff())

    assert client.get(url).status_code == 403


def test_the_admin_index_shows_scheduling_staff_no_users_or_articles(client):
    staff_login(client, f.scheduling_staff())

    html = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:scheduling_appointment_changelist") in html
    assert reverse("admin:auth_user_changelist") not in html
    assert reverse("admin:education_article_changelist") not in html
    assert reverse("admin:clinic_auditevent_changelist") not in html
