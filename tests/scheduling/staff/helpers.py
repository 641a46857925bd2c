"""What the staff tests share: the list URL, readers of a response, a time a few days ahead."""

from datetime import datetime, timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.html import visible_text

LIST = reverse("admin:scheduling_appointment_changelist")


def change_url(appointment) -> str:
    return reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def text_of(response) -> str:
    return visible_text(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def soon(days: int = 3, hour: int = 15) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
