"""Every email to a patient ends with the practice's contact details, when staff set them."""

import pytest
from django.core import mail

from clinic.models import PracticeProfile
from tests.scheduling.notify_factories import EMAIL, book

pytestmark = pytest.mark.django_db


def patient_email():
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    return message.body, message.alternatives[0][0]


def test_a_patient_email_ends_with_phone_email_and_office_hours(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PracticeProfile(
            phone="(212) 555-0142",
            email="office@clinic.example",
            office_hours="Weekdays, 9 to 5 Eastern Time",
        ).save()

    book()

    text, html = patient_email()
    footer = text[text.index("\n--\n") :]
    assert "Phone: (212) 555-0142" in footer
    assert "Email: office@clinic.example" in footer
    assert "Office hours: Weekdays, 9 to 5 Eastern Time" in footer
    assert 'href="tel:+12125550142"' in html
    assert 'href="mailto:office@clinic.example"' in html


def test_details_left_empty_are_not_in_the_email():
    PracticeProfile(email="office@clinic.example").save()

    book()

    text, html = patient_email()
    assert "Email: office@clinic.example" in text
    assert "Phone:" not in text
    assert "Office hours:" not in text
    assert "tel:+1" not in html


def test_staff_alerts_do_not_carry_the_contact_block():
    PracticeProfile(phone="(212) 555-0142").save()

    book()

    [staff] = [m for m in mail.outbox if m.to != [EMAIL]]
    assert "555-0142" not in staff.body
