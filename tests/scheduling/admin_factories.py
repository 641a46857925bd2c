"""Helpers for the admin tests: staff users in the real groups, and quick appointments."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group, User

from clinic import groups
from scheduling.models import Appointment

PATIENT_NAME = "Zelda Quixotewright"
PATIENT_EMAIL = "zelda.q@example.org"
PATIENT_PHONE = "+12125550187"
PATIENT_NOTE = "Question about naltrexone"


def scheduling_staff(username: str = "frontdesk") -> User:
    groups.run()
    user = User.objects.create_user(
        username, f"{username}@clinic.example", "a-long-test-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=groups.SCHEDULING_STAFF))
    return user


def plain_staff(username: str = "intern") -> User:
    return User.objects.create_user(
        username, f"{username}@clinic.example", "a-long-test-password-1", is_staff=True
    )


def superuser(username: str = "boss") -> User:
    return User.objects.create_superuser(username, f"{username}@clinic.example", "a-long-test-password-1")


def appointment(start: datetime, *, minutes: int = 10, **fields) -> Appointment:
    values = {
        "end": start + timedelta(minutes=minutes),
        "status": Appointment.Status.CONFIRMED,
        "full_name": PATIENT_NAME,
        "email": PATIENT_EMAIL,
        "phone": PATIENT_PHONE,
        "note": PATIENT_NOTE,
        "state": "NY",
        "time_zone": "America/New_York",
        "contact_method": "phone",
        **fields,
    }
    return Appointment.objects.create(start=start, **values)


def many_appointments(count: int, *, first: datetime, **fields) -> list[Appointment]:
    """`count` appointments 15 minutes apart (bulk, so big lists are quick to make)."""
    return Appointment.objects.bulk_create(
        Appointment(
            start=first + timedelta(minutes=15 * i),
            end=first + timedelta(minutes=15 * i + 10),
            full_name=f"Patient {i}",
            email=f"p{i}@example.org",
            phone="+12125550100",
            state="NY",
            time_zone="America/New_York",
            contact_method="phone",
            **fields,
        )
        for i in range(count)
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
