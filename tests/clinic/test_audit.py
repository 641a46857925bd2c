"""The audit trail: who, when, what (field names only) and from where; nobody can rewrite it."""

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic import audit
from clinic.models import AuditEvent
from scheduling.models import TimeOff
from tests.html import visible_text
from tests.scheduling import admin_factories as f
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_and_where_but_no_values():
    user = f.scheduling_staff()
    appointment = f.appointment(timezone.now() + timedelta(days=2))
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    request.user = user

    event = audit.record(request, AuditEvent.Action.CHANGE, obj=appointment, fields=["phone", "email"])

    assert (event.user, event.username, event.client_address) == (user, "frontdesk", "198.51.100.7")
    assert (event.object_type, event.object_id, event.fields) == (
        "scheduling.appointment",
        str(appointment.pk),
        ["email", "phone"],
    )
    assert timezone.now() - event.created_at < timedelta(seconds=5)


def test_the_trail_outlives_the_user():
    user = f.scheduling_staff()
    request = RequestFactory().get("/")
    request.user = user
    event = audit.record(request, AuditEvent.Action.EXPORT, object_type="scheduling.appointment")

    user.delete()

    event.refresh_from_db()
    assert (event.user, event.username) == (None, "frontdesk")


def test_deleting_time_off_is_audited(client):
    staff_login(client, f.scheduling_staff())
    off = TimeOff.objects.create(
        start_date=timezone.localdate(), end_date=timezone.localdate(), start_time=time(9)
    )

    client.post(reverse("admin:scheduling_timeoff_delete", args=[off.pk]), {"post": "yes"})

    assert not TimeOff.objects.exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="scheduling.timeoff", object_id=str(off.pk)
    ).exists()


def test_superusers_read_the_trail_in_admin(client):
    staff_login(client, f.superuser())
    staff = f.scheduling_staff()
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    request.user = staff
    audit.record(request, AuditEvent.Action.VIEW, object_type="scheduling.appointment", object_id=42)

    response = client.get(reverse("admin:clinic_auditevent_changelist"))

    text = visible_text(response.content.decode())
    assert response.status_code == 200
    assert "frontdesk" in text and "198.51.100.7" in text and "Viewed" in text


def test_nobody_can_edit_or_delete_the_trail_not_even_a_superuser(client):
    staff_login(client, f.superuser())
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="boss")
    event = audit.record(request, AuditEvent.Action.VIEW, object_type="scheduling.appointment", object_id=1)

    change = client.post(
        reverse("admin:clinic_auditevent_change", args=[event.pk]), {"username": "someone else"}
    )
    delete = client.post(reverse("admin:clinic_auditevent_delete", args=[event.pk]), {"post": "yes"})
    add = client.get(reverse("admin:clinic_auditevent_add"))

    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.username == "boss"


def test_staff_cannot_see_the_trail(client):
    staff_login(client, f.scheduling_staff())

    assert client.get(reverse("admin:clinic_auditevent_changelist")).status_code == 403
