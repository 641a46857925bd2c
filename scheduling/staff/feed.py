"""The staff calendar feed: upcoming confirmed meet-and-greets for calendar apps to subscribe to.

Reached by a secret per-user token (clinic.models.StaffFeedToken, hashed, revocable), not by
admin login: calendar apps cannot log in. So the feed carries no patient details at all: each
event is "Meet-and-greet" at a time, with a link to its admin page (which does ask for login).
A revoked token, or one whose user is no longer active staff allowed to view appointments,
gets a 404 like any unknown token.

Also here: the admin page where a staff member issues (or revokes) their own feed address.
"""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from clinic import audit, practice
from clinic.models import AuditEvent, StaffFeedToken
from scheduling.models import Appointment, clinic_zone
from scheduling.staff.pages import StaffPage

SUMMARY = "Meet-and-greet"
PRODID = f"-//{practice.PRACTICE_NAME}//Staff calendar//EN"
# Only bother writing "last used" when it is this stale: calendar apps poll often.
LAST_USED_PRECISION = timedelta(hours=1)


def staff_event_uid(appointment) -> str:
    # Not the patient's UID: a staff calendar that also holds the invite must not merge the two.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"staff-appointment-{appointment.pk}@{host}"


def feed_calendar(appointments, *, now: datetime) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Meet-and-greets")
    for appointment in appointments:
        admin_url = settings.SITE_URL + reverse("admin:scheduling_appointment_change", args=[appointment.pk])
        event = Event()
        event.add("uid", staff_event_uid(appointment))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", appointment.start.astimezone(UTC))
        event.add("dtend", appointment.end.astimezone(UTC))
        event.add("sequence", appointment.version)
        event.add("summary", SUMMARY)
        event.add("description", f"Details in admin: {admin_url}")
        event.add("url", admin_url)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar


@require_safe
def staff_feed(request, token: str):
    feed = StaffFeedToken.active_for(token)
    user = feed.user if feed else None
    if user is None or not (
        user.is_active and user.is_staff and user.has_perm("scheduling.view_appointment")
    ):
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > LAST_USED_PRECISION:
        StaffFeedToken.objects.filter(pk=feed.pk).update(last_used_at=now)
    # From the start of today (clinic time), so the day's earlier calls stay on the calendar.
    since = datetime.combine(now.astimezone(clinic_zone()).date(), time.min, tzinfo=clinic_zone())
    appointments = Appointment.objects.active().filter(start__gte=since).only("pk", "start", "end", "version")
    response = HttpResponse(
        feed_calendar(appointments, now=now).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class FeedTokenPage(StaffPage):
    """Issue (or revoke) the signed-in user's own calendar feed. The URL is shown once."""

    permission = "view"
    template_name = "admin/scheduling/appointment/feed_token.html"

    def get(self, request):
        return self.show()

    def post(self, request):
        if request.POST.get("do") == "revoke":
            count = StaffFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            audit.record(
                request, AuditEvent.Action.ACTION, object_type="clinic.stafffeedtoken", detail="feed revoked"
            )
            messages.success(
                request, "Your calendar feed is revoked." if count else "You had no calendar feed."
            )
            return redirect("admin:scheduling_appointment_feed_token")
        row, raw = StaffFeedToken.issue(request.user)
        audit.record(request, AuditEvent.Action.ACTION, obj=row, detail="feed issued")
        feed_url = settings.SITE_URL + reverse("admin:scheduling_appointment_feed", args=[raw])
        return self.show(feed_url=feed_url)

    def show(self, feed_url: str | None = None):
        active = StaffFeedToken.objects.filter(user=self.request.user, revoked_at__isnull=True).first()
        return self.render("Your calendar feed", active=active, feed_url=feed_url)
