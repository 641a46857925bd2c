"""The CSV export of the filtered appointment list: asked first, audited."""

import csv
import io

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import LIST, text_of

pytestmark = pytest.mark.django_db


def test_csv_export_of_the_filtered_list_asks_first_then_is_audited(client, staff):
    kept = f.appointment(f.utc(2030, 7, 1, 17, 0), full_name='=HYPERLINK("http://evil")')
    f.appointment(f.utc(2030, 7, 2, 17, 0), status="completed", email="done@example.org")
    url = reverse("admin:scheduling_appointment_export") + "?status__exact=confirmed"

    confirm = client.get(url)
    exported_before_confirming = AuditEvent.objects.filter(action="export").exists()
    response = client.post(url)

    assert "1 appointment" in text_of(confirm) and "status__exact: confirmed" in text_of(confirm)
    assert not exported_before_confirming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "start_clinic_time", "end_clinic_time"]
    assert len(rows) == 2
    assert rows[1][0] == str(kept.pk)
    assert rows[1][1] == "2030-07-01T13:00:00-04:00"
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[1][7] == f.PATIENT_PHONE
    event = AuditEvent.objects.get(action="export")
    assert event.username == "frontdesk" and event.detail == "CSV of 1 appointments"
    assert "full_name" in event.fields and "email" in event.fields


def test_export_link_carries_the_list_filters(client, staff):
    response = client.get(LIST, {"status__exact": "confirmed"})

    assert (
        reverse("admin:scheduling_appointment_export") + "?status__exact=confirmed"
        in response.content.decode()
    )


def test_export_with_bad_filters_exports_nothing(client, staff):
    response = client.post(
        reverse("admin:scheduling_appointment_export") + "?start__gte=notadate", follow=True
    )

    assert "nothing was exported" in text_of(response)
    assert not AuditEvent.objects.filter(action="export").exists()
