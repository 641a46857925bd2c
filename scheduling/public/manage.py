"""The patient's private manage link: /book/manage/<token>/.

GET only shows (mail scanners follow links); cancelling and moving are POSTs with CSRF. The page
itself shows the booking and two ways on, each a step of its own so that neither hides behind
a list of times on a phone: "Change the time" (/time/, the free times and the move form) and
"Cancel" (/cancel/confirm/, which asks once; only its "Yes, cancel" POST cancels). A GET on a
POST-only address gets a page leading back to the manage page (405). The
token is looked up by its hash. A wrong token is a plain 404 that says nothing about whether
an appointment exists, and lookups are rate-limited per client. The link stops working once
the call has started (410 with a clear page); after a cancellation it shows only that.
"""

import contextlib
from datetime import date, datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic.audit import Actor
from scheduling import selectors, services
from scheduling.display import clock, format_day, masked_phone, when_labels, zone_name
from scheduling.ics import video_room_url
from scheduling.models import Appointment, BookingRules
from scheduling.public import throttle
from scheduling.public.manage_forms import ContactForm, DaysForm, MoveForm
from scheduling.public.picker import slot_picker_context, zone_context

LOOKUPS_PER_WINDOW = 30
LOOKUP_WINDOW = timedelta(minutes=10)
DAYS_PER_PAGE = 7
# "Join the video call" shows from this long before the start until the end of the call.
JOIN_OPENS_BEFORE = timedelta(minutes=15)

MSG_SAME_TIME = _("That is already your time. Please choose a different time, or keep this one.")
MSG_MOVED = _("Your meet-and-greet has a new time. We've emailed you the details.")
MSG_CONTACT_CHANGED = _("Thank you: we'll reach you as shown below.")
MSG_CANCEL_QUESTION = _("Cancel your meet-and-greet on %(day)s at %(time)s %(zone)s?")
# The "Yes, cancel" button sends this; a cancel POST without it (an old form, a stray request)
# only leads to the question.
CANCEL_CONFIRMED = "yes"

CANCELLED = {Appointment.Status.CANCELLED_BY_PATIENT, Appointment.Status.CANCELLED_BY_CLINIC}


def manage_link_view(view):
    """Look up the link's appointment for `view(request, appointment, token)`: rate-limited per
    client (429 page), and a plain 404 for a token that matches nothing."""

    @wraps(view)
    def wrapper(request, token: str):
        if not throttle.allow(request, action="manage", limit=LOOKUPS_PER_WINDOW, per=LOOKUP_WINDOW):
            return render(request, "scheduling/manage_throttled.html", status=429)
        appointment = Appointment.for_manage_token(token)
        if appointment is None or appointment.purged_at is not None:
            raise Http404
        return view(request, appointment, token)

    return wrapper


def post_only(view):
    """For a manage view that only changes things: any other method gets a page in the site's
    look that leads back to the manage page (status 405, as the method is still not allowed).
    Checked before the link is looked up, so a wrong method is refused without counting against
    the client's lookups and says nothing about whether the link exists."""

    @wraps(view)
    def wrapper(request, token: str):
        if request.method != "POST":
            context = {"manage_url": _manage_url(token)}
            response = render(request, "scheduling/manage_405.html", context, status=405)
            response["Allow"] = "POST"
            return response
        return view(request, token)

    return wrapper


def join_url(appointment: Appointment, now: datetime) -> str:
    """The video room, while the patient may join it: a confirmed video call, from
    JOIN_OPENS_BEFORE its start to its end, with the practice's room set ("" otherwise)."""
    if appointment.status != Appointment.Status.CONFIRMED:
        return ""
    if not appointment.start - JOIN_OPENS_BEFORE <= now < appointment.end:
        return ""
    return video_room_url(appointment)


def _closed_page(request, appointment: Appointment, now: datetime) -> HttpResponse | None:
    """The page for a link that can no longer change anything, or None while it can."""
    if appointment.start <= now or appointment.status not in {*CANCELLED, Appointment.Status.CONFIRMED}:
        return render(request, "scheduling/manage_expired.html", status=410)
    if appointment.status in CANCELLED:
        context = {
            "appointment": appointment,
            "when": when_labels(appointment),
            **zone_context(appointment.time_zone),
        }
        return render(request, "scheduling/manage_cancelled.html", context)
    return None


def _manage_url(token: str, step: str = "manage", **params) -> str:
    url = reverse(f"scheduling:{step}", args=[token])
    return f"{url}?{urlencode(params)}" if params else url


def _booking_context(appointment: Appointment, token: str) -> dict:
    """What every step of the manage link shows about the booking itself."""
    return {
        "appointment": appointment,
        "token": token,
        "when": when_labels(appointment),
        "masked_phone": masked_phone(appointment.phone),
        "video_room_url": video_room_url(appointment),
        **zone_context(appointment.time_zone, appointment.state),
    }


def _manage_page(request, appointment: Appointment, token: str, *, contact_form: ContactForm | None = None):
    context = {
        **_booking_context(appointment, token),
        "join_url": join_url(appointment, timezone.now()),
        "moved": request.GET.get("moved") == "1",
        "moved_message": MSG_MOVED,
        "contact_changed": request.GET.get("changed") == "1",
        "contact_changed_message": MSG_CONTACT_CHANGED,
        "contact_form": contact_form or ContactForm(initial={"contact_method": appointment.contact_method}),
    }
    return render(request, "scheduling/manage.html", context)


def _time_page(
    request,
    appointment: Appointment,
    token: str,
    *,
    now: datetime,
    first_day: date | None = None,
    form: MoveForm | None = None,
    error: str = "",
    nearby=None,
) -> HttpResponse:
    """The change-time step: free times, a week at a time, and the form that moves the call."""
    tz = appointment.time_zone
    today = now.astimezone(appointment.patient_zone).date()
    last_day = today + timedelta(days=BookingRules.load().horizon_days + 1)
    first_day = min(max(first_day or today, today), last_day)
    next_day = first_day + timedelta(days=DAYS_PER_PAGE)
    slots = nearby or selectors.patient_slots(tz=tz, start=first_day, days=DAYS_PER_PAGE, now=now)
    slots = [slot for slot in slots if slot.start != appointment.start]
    context = {
        **_booking_context(appointment, token),
        "form": form,
        "error": error or (form.errors["start"][0] if form is not None and form.errors.get("start") else ""),
        "showing_nearby": bool(nearby),
        "first_day": first_day,
        "last_shown_day": first_day + timedelta(days=DAYS_PER_PAGE - 1),
        "previous_url": (
            _manage_url(
                token, "manage-time", start=max(first_day - timedelta(days=DAYS_PER_PAGE), today).isoformat()
            )
            if first_day > today and not nearby
            else None
        ),
        "next_url": (
            _manage_url(token, "manage-time", start=next_day.isoformat())
            if next_day <= last_day and not nearby
            else None
        ),
        **slot_picker_context(slots=slots, tz=tz, state=appointment.state),
    }
    return render(request, "scheduling/manage_time.html", context)


@never_cache
@require_safe
@manage_link_view
def manage(request, appointment: Appointment, token: str):
    """The appointment and the ways on (change the time, cancel). Changes nothing."""
    now = timezone.now()
    joining = join_url(appointment, now)
    if joining and appointment.start <= now:
        # The call has begun: nothing can be changed, but the way in stays until its end.
        context = {**_booking_context(appointment, token), "join_url": joining}
        return render(request, "scheduling/manage_join.html", context)
    closed = _closed_page(request, appointment, now)
    if closed is not None:
        return closed
    return _manage_page(request, appointment, token)


@never_cache
@require_safe
@manage_link_view
def manage_time(request, appointment: Appointment, token: str):
    """The change-time step: free times to move to. Changes nothing."""
    now = timezone.now()
    closed = _closed_page(request, appointment, now)
    if closed is not None:
        return closed
    days = DaysForm(request.GET)
    first_day = days.cleaned_data["start"] if days.is_valid() else None
    return _time_page(request, appointment, token, now=now, first_day=first_day)


def cancel_question(appointment: Appointment) -> str:
    """ "Cancel your meet-and-greet on Tuesday, December 1 at 6:00 AM Pacific Time?" """
    zone = appointment.patient_zone
    return MSG_CANCEL_QUESTION % {
        "day": format_day(appointment.start, zone),
        "time": clock(appointment.start, zone),
        "zone": zone_name(zone.key),
    }


@never_cache
@require_safe
@manage_link_view
def manage_cancel_confirm(request, appointment: Appointment, token: str):
    """Asks once before cancelling: "Yes, cancel" (a POST) or "Keep it". Changes nothing."""
    closed = _closed_page(request, appointment, timezone.now())
    if closed is not None:
        return closed
    context = {**_booking_context(appointment, token), "question": cancel_question(appointment)}
    return render(request, "scheduling/manage_cancel.html", context)


@never_cache
@post_only
@manage_link_view
def manage_cancel(request, appointment: Appointment, token: str):
    if request.POST.get("confirm") != CANCEL_CONFIRMED:
        # Not from the question's "Yes, cancel": nothing changes; the question is asked.
        return redirect("scheduling:manage-cancel-confirm", token=token)
    now = timezone.now()
    if _closed_page(request, appointment, now) is None:
        # Changed meanwhile (cancelled twice, or the call began): the page shows what it is now.
        with contextlib.suppress(services.AppointmentNotChangeable):
            services.appointment_cancel(appointment=appointment, by_clinic=False, now=now)
    return redirect(_manage_url(token))


@never_cache
@post_only
@manage_link_view
def manage_move(request, appointment: Appointment, token: str):
    now = timezone.now()
    closed = _closed_page(request, appointment, now)
    if closed is not None:
        return redirect(_manage_url(token)) if appointment.status in CANCELLED else closed
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _time_page(request, appointment, token, now=now, form=form)
    new_start = form.cleaned_data["start"]
    if new_start == appointment.start:
        return _time_page(request, appointment, token, now=now, error=MSG_SAME_TIME)
    try:
        services.appointment_move(appointment=appointment, new_start=new_start, manage_token=token, now=now)
    except services.AppointmentNotChangeable:
        return redirect(_manage_url(token))
    except services.BookingError as error:
        # Nothing changed: the patient keeps their time and sees the closest free ones.
        return _time_page(request, appointment, token, now=now, error=error.message, nearby=error.nearby)
    return redirect(_manage_url(token, moved="1"))


@never_cache
@post_only
@manage_link_view
def manage_contact(request, appointment: Appointment, token: str):
    """Correct the phone number, or switch between a phone and a video call."""
    now = timezone.now()
    closed = _closed_page(request, appointment, now)
    if closed is not None:
        return redirect(_manage_url(token)) if appointment.status in CANCELLED else closed
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, appointment, token, contact_form=form)
    # Changed meanwhile (cancelled, or the call began): the page shows what it is now.
    with contextlib.suppress(services.AppointmentNotChangeable):
        services.appointment_change_contact(
            appointment=appointment,
            phone=form.cleaned_data["phone"] or appointment.phone,
            contact_method=form.cleaned_data["contact_method"],
            manage_token=token,
            actor=Actor.from_request(request),
            now=now,
        )
    return redirect(_manage_url(token, changed="1"))
