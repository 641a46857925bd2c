"""The practice's contact details and video room: one row staff edit in admin, read from the cache."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic import practice
from clinic.models import MSG_PHONE_INVALID, AuditEvent, PracticeProfile
from tests.scheduling import admin_factories as f
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:clinic_practiceprofile_change", args=[1])


def form_data(**fields) -> dict:
    return {"phone": "", "email": "", "office_hours": "", "video_room_url": "", **fields}


def test_the_migration_makes_the_one_empty_row_and_nothing_is_shown():
    assert PracticeProfile.objects.count() == 1
    assert practice.profile() == practice.Profile()
    assert not practice.profile().has_contact


def test_scheduling_staff_edit_the_details_in_admin_and_pages_read_them_at_once(
    client, django_assert_num_queries
):
    assert practice.profile().phone == ""  # now cached
    staff_login(client, f.scheduling_staff())

    response = client.post(
        CHANGE_URL,
        form_data(
            phone="(212) 555-0142",
            email="office@clinic.example",
            office_hours="Monday to Friday, 9 AM to 5 PM Eastern Time",
            video_room_url="https://telehealth.example/dr-p",
        ),
    )

    assert response.status_code == 302
    with django_assert_num_queries(1):
        saved = practice.profile()
    assert saved.phone == "(212) 555-0142"
    assert saved.phone_href == "+12125550142"
    assert saved.email == "office@clinic.example"
    assert saved.video_room_url == "https://telehealth.example/dr-p"
    with django_assert_num_queries(0):
        assert practice.profile() == saved
    # The change is in the audit trail, field names only.
    event = AuditEvent.objects.get(object_type="clinic.practiceprofile")
    assert "phone" in event.fields
    assert "212" not in str(event.fields)


def test_the_admin_list_goes_straight_to_the_one_row_which_cannot_be_added_twice_or_deleted(client):
    staff_login(client, f.superuser())

    response = client.get(reverse("admin:clinic_practiceprofile_changelist"))

    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL
    assert client.get(reverse("admin:clinic_practiceprofile_add")).status_code == 403
    assert client.get(reverse("admin:clinic_practiceprofile_delete", args=[1])).status_code == 403


@pytest.mark.parametrize(
    "address",
    ["ftp://files.example/room", "javascript:alert(1)", "https://", "https://exa mple.com/room"],
)
def test_only_a_web_address_is_accepted_for_the_video_room(client, address):
    staff_login(client, f.superuser())

    response = client.post(CHANGE_URL, form_data(video_room_url=address))

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert PracticeProfile.objects.get().video_room_url == ""


def test_an_address_typed_without_its_scheme_is_taken_as_https(client):
    staff_login(client, f.superuser())

    client.post(CHANGE_URL, form_data(video_room_url="telehealth.example/room"))

    assert PracticeProfile.objects.get().video_room_url == "https://telehealth.example/room"


def test_the_database_refuses_a_video_room_that_is_not_a_web_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeProfile.objects.filter(pk=1).update(video_room_url="ftp://files.example/room")


@pytest.mark.parametrize("phone", ["212-555-CALL", "555-0142", "+44 20 7946 0958 11"])
def test_a_phone_number_that_is_not_ten_digits_is_refused_with_a_clear_message(client, phone):
    staff_login(client, f.superuser())

    response = client.post(CHANGE_URL, form_data(phone=phone))

    assert response.status_code == 200
    assert MSG_PHONE_INVALID in response.content.decode()
    assert PracticeProfile.objects.get().phone == ""


def test_a_second_row_is_refused_saving_always_writes_the_one_row():
    PracticeProfile(phone="212 555 0142").save()

    assert PracticeProfile.objects.count() == 1
    assert PracticeProfile.objects.get().phone == "212 555 0142"


def test_with_the_row_gone_the_details_are_empty_not_an_error():
    PracticeProfile.objects.all().delete()

    assert practice.profile() == practice.Profile()


def test_an_unreachable_database_gives_empty_details_not_an_error(monkeypatch):
    from django.db import OperationalError

    def broken():
        raise OperationalError("database is down")

    monkeypatch.setattr(practice, "_load_profile", broken)

    assert practice.profile() == practice.Profile()


def test_a_booking_reads_the_contact_details_once_for_all_its_messages(client, monkeypatch, settings):
    """Each message's footer and video room read them from the cache: ten reads per booking."""
    from scheduling.models import Notification
    from tests.scheduling.factories import booking_data, free_slots, open_every_day

    settings.BOOKING_FORM_MIN_SECONDS = 0
    PracticeProfile.objects.update(phone="(212) 555-0142", video_room_url="https://telehealth.example/dr-p")
    practice.forget_profile()
    open_every_day()
    reads = []
    get = practice.cache.get

    def counting_get(key, *args, **kwargs):
        if key == practice.PROFILE_CACHE_KEY:
            reads.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(practice.cache, "get", counting_get)

    response = client.post("/book/details/", booking_data(free_slots()[0].start, contact_method="video"))

    assert response.status_code == 302
    assert len(reads) == 1
    confirmation = Notification.objects.get(kind=Notification.Kind.CONFIRMATION)
    assert "(212) 555-0142" in confirmation.body_text
    assert "https://telehealth.example/dr-p" in confirmation.body_text
