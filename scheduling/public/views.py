"""The public booking flow: state -> zone and time -> details -> confirmation.

Server-rendered and complete without JavaScript; views are thin: a form reads the input,
a service books, the view redirects.
"""

import json
import logging
import math
import zoneinfo
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.translation import ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from clinic.client import client_address
from clinic.context_processors import language_choices
from clinic.practice import STATES_SERVED
from education.cache import cache_public_page
from scheduling import display, messages, selectors, services
from scheduling.ics import video_room_url
from scheduling.models import Appointment, BookingRules, Throttle
from scheduling.public import throttle, visitor_page
from scheduling.public.forms import (
    BOOKING_FIELDS,
    OTHER_STATE,
    STATE_NAMES,
    BookingForm,
    SlotQueryForm,
    SlotsJsonForm,
    StateForm,
    new_form_token,
    parse_instant,
)
from scheduling.public.picker import slot_picker_context, zone_context
from scheduling.zones import STATE_ZONES, zones_for_state

logger = logging.getLogger(__name__)

DAYS_PER_PAGE = 7
CONFIRMED_SALT = "scheduling.confirmed"
# The confirmation page is for right after booking; the email is the lasting record.
CONFIRMED_MAX_AGE = 60 * 60
# Set with the redirect to the confirmation page: the same signed value as its address, so that
# Back from that page (to the details of the time just booked, which is no longer free) says
# "you're booked" instead of "that time is no longer available".
JUST_BOOKED_COOKIE = "just_booked"
# Booking posts per client are counted in windows this long (settings.BOOKING_POSTS_PER_10_MINUTES).
BOOKING_WINDOW = timedelta(minutes=10)
MSG_THROTTLED = ngettext_lazy(
    "This form was sent many times from your connection in a short while, so it was not sent this time. "
    "Please wait %(minutes)d minute, then send it again: your details are kept below. "
    "Nothing was booked by this request.",
    "This form was sent many times from your connection in a short while, so it was not sent this time. "
    "Please wait %(minutes)d minutes, then send it again: your details are kept below. "
    "Nothing was booked by this request.",
    "minutes",
)


def _times_url(**params) -> str:
    return f"{reverse('scheduling:times')}?{urlencode({k: v for k, v in params.items() if v})}"


def _today_in(tz: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(tz)).date()


@cache_public_page  # the same for everyone, kept like the articles (a change of contact details drops it)
def _state_page(request):
    return render(request, "scheduling/book_state.html", {"form": StateForm()})


@require_safe
def book(request):
    """Step 1: the state of residence (and, from JavaScript, the browser's zone as a hint)."""
    if not request.GET:
        return _state_page(request)
    form = StateForm(request.GET)
    if not form.is_valid():
        if request.GET.get("state"):
            # Any value other than the listed states, sent by hand, is "another state".
            return redirect("scheduling:outside")
        return render(request, "scheduling/book_state.html", {"form": form})
    state = form.cleaned_data["state"]
    if state == OTHER_STATE:
        return redirect("scheduling:outside")
    return redirect(_times_url(state=state, tz=form.cleaned_data["tz"]))


@require_safe
def outside(request):
    """For people who live elsewhere: real alternatives. Nothing about them is stored."""
    return render(request, "scheduling/outside.html")


@require_safe
def times(request):
    """Step 2: the zone (preselected, changeable), the coming days with free times, one day's open."""
    if request.GET.get("state", "") not in STATES_SERVED:
        return redirect("scheduling:outside" if request.GET.get("state") else "scheduling:book")
    query = SlotQueryForm.plain(request.GET)
    if query is None:
        form = SlotQueryForm(request.GET)
        if not form.is_valid():
            # A bad date or zone in a hand-made link: start over at this week, in the state's zone.
            state = request.GET["state"]
            return redirect(_times_url(state=state, tz=STATE_ZONES[state][0]))
        query = form.cleaned_data["state"], form.cleaned_data["tz"], form.cleaned_data["start"]
    state, tz, requested = query
    unavailable = request.GET.get("unavailable") == "1"
    today = _today_in(tz, timezone.now())
    if requested is not None:
        # No horizon is longer than a year: other dates give the same page as its ends, and must
        # not each make a cache entry of their own.
        requested = min(max(requested, today), today + timedelta(days=MAX_HORIZON_DAYS + 1))
    day = _chosen_day(request.GET.get("day", ""), first=requested or today)
    # The page is the same for everyone who asks for it (no form token, no CSRF: its forms are GETs),
    # so it is rendered once per slot window and calendar version.
    content = selectors.cached_for_everyone(
        f"times:{translation.get_language()}:{state}:{tz}:{requested}:{day}:{unavailable}",
        lambda: _render_times(
            request, state=state, tz=tz, requested=requested, day=day, unavailable=unavailable
        ),
    )
    return HttpResponse(content)


MAX_HORIZON_DAYS = 365


def _chosen_day(value: str, *, first: date) -> date | None:
    """The day to open (`day=`, from the page's own day links): one of the DAYS_PER_PAGE days from
    `first`, or None (the first day with times). Anything else, typed by hand, counts as None, so
    hand-made values cannot each make a cache entry of their own."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if first <= day < first + timedelta(days=DAYS_PER_PAGE) else None


def _render_times(
    request, *, state: str, tz: str, requested: date | None, day: date | None, unavailable: bool
) -> bytes:
    now = timezone.now()
    today = _today_in(tz, now)
    rules = BookingRules.load()
    # The first day that can have times: with a day's notice, tomorrow. The week starts there.
    first_day = _today_in(tz, now + timedelta(hours=rules.minimum_notice_hours))
    last_day = today + timedelta(days=rules.horizon_days + 1)
    start = min(max(requested or first_day, first_day), last_day)
    next_start = start + timedelta(days=DAYS_PER_PAGE)
    slots = selectors.patient_slots(tz=tz, start=start, days=DAYS_PER_PAGE, now=now)
    picker = slot_picker_context(slots=slots, tz=tz, state=state)
    dates = [picker_day.date for picker_day in picker["days"]]
    chosen = day if day in dates else (dates[0] if dates else None)
    context = {
        "state": state,
        "state_name": STATE_NAMES[state],
        "zone_choices": zones_for_state(state),
        "start": start,
        "end": start + timedelta(days=DAYS_PER_PAGE - 1),
        "today_not_offered": first_day > today and start == first_day,
        "minimum_notice_hours": rules.minimum_notice_hours,
        "previous_url": (
            _times_url(
                state=state,
                tz=tz,
                start=max(start - timedelta(days=DAYS_PER_PAGE), first_day).isoformat(),
            )
            if start > first_day
            else None
        ),
        "next_url": _times_url(state=state, tz=tz, start=next_start.isoformat())
        if next_start <= last_day
        else None,
        "unavailable": unavailable,
        "unavailable_message": services.MSG_UNAVAILABLE,
        **picker,
        # The day choice: the chosen day's times are shown, the others hidden until chosen by a
        # link that reloads with `day=` or, with JavaScript, in place.
        "chosen_day": chosen,
        "day_links": [
            (date_, _times_url(state=state, tz=tz, start=start.isoformat(), day=date_.isoformat()))
            for date_ in dates
        ],
    }
    return render(request, "scheduling/times.html", context).content


def _details_context(*, form: BookingForm, state: str, tz: str, start: datetime | None, nearby=None) -> dict:
    return {
        "form": form,
        "state": state,
        "state_name": STATE_NAMES[state],
        "start_instant": start,
        "start_value": start.isoformat() if start else "",
        "nearby": nearby,
        "change_time_url": _times_url(state=state, tz=tz),
        **(slot_picker_context(slots=nearby, tz=tz, state=state) if nearby else zone_context(tz, state)),
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def details(request):
    """Step 3: the form. GET shows it for a chosen time; POST books."""
    if request.method == "POST":
        return _book(request)
    state = request.GET.get("state", "")
    if state not in STATES_SERVED:
        return redirect("scheduling:outside" if state else "scheduling:book")
    tz = request.GET.get("tz", "")
    if tz not in STATE_ZONES[state]:
        tz = STATE_ZONES[state][0]
    start = parse_instant(request.GET.get("start", ""))
    if start is not None:
        booked = _just_booked(request, start)
        if booked is not None:
            return booked
    # The same page for everyone who picks this time but for the CSRF and form tokens: rendered once
    # per slot window and calendar version (a booking drops it), the tokens filled in per request.
    page = None
    if start is not None:
        page = selectors.offered_and_cached_for_everyone(
            start,
            f"details:{translation.get_language()}:{state}:{tz}:{start.isoformat()}",
            lambda: _render_details(request, state=state, tz=tz, start=start),
        )
    if page is None:
        return redirect(_times_url(state=state, tz=tz, unavailable="1"))
    return HttpResponse(visitor_page.for_visitor(page, request))


def _render_details(request, *, state: str, tz: str, start: datetime) -> bytes:
    stand_ins = visitor_page.stand_ins()
    form = BookingForm(
        initial={
            "state": state,
            "time_zone": tz,
            "start": start.isoformat(),
            "form_token": stand_ins["form_token"],
        },
        state_name=STATE_NAMES[state],
    )
    # The language switch from this page's plain address: never from what one visitor added to theirs.
    address = (
        f"{reverse('scheduling:details')}?{urlencode({'state': state, 'tz': tz, 'start': start.isoformat()})}"
    )
    addresses = {code: translate_url(address, code) for code, _name in settings.LANGUAGES}
    context = {
        **_details_context(form=form, state=state, tz=tz, start=start),
        "csrf_token": stand_ins["csrf_token"],
        "language_choices": lambda: language_choices(request, addresses),
    }
    return render(request, "scheduling/details.html", context).content


def _book(request):
    state = request.POST.get("state", "")
    if state not in STATES_SERVED:
        # Before the rate limit: nothing about a visitor from elsewhere is stored, not even a count.
        return redirect("scheduling:outside")
    limit = settings.BOOKING_POSTS_PER_10_MINUTES
    if not throttle.allow(request, action="book", limit=limit, per=BOOKING_WINDOW):
        return _throttled(request, state=state)
    form = BookingForm(request.POST, state_name=STATE_NAMES[state])
    if form.is_spam:
        # Looks like success to the bot; nothing is stored or sent.
        logger.info("booking form honeypot filled; ignored")
        return render(request, "scheduling/received.html")
    tz = request.POST.get("time_zone", "")
    if tz not in STATE_ZONES[state]:
        tz = STATE_ZONES[state][0]
    nearby = None
    if form.is_valid():
        try:
            result = services.appointment_book(**{name: form.cleaned_data[name] for name in BOOKING_FIELDS})
        except services.DuplicateBooking as error:
            return render(request, "scheduling/duplicate.html", {"message": error.message})
        except services.BookingError as error:
            form.add_error(None, error.message)
            nearby = error.nearby
        else:
            signed = signing.dumps(result.appointment.manage_token_hash, salt=CONFIRMED_SALT)
            response = redirect("scheduling:confirmed", signed=signed)
            response.set_cookie(
                JUST_BOOKED_COOKIE,
                signed,
                max_age=CONFIRMED_MAX_AGE,
                path=reverse("scheduling:book"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    # Shown again with the patient's input kept, and a fresh form token.
    form.data = form.data.copy()
    form.data["form_token"] = new_form_token()
    start = form.cleaned_data.get("start") or parse_instant(request.POST.get("start", ""))
    context = _details_context(form=form, state=state, tz=tz, start=start, nearby=nearby)
    return render(request, "scheduling/details.html", context)


def _booked_appointment(signed: str) -> Appointment | None:
    """The appointment a confirmation address (or the just-booked cookie) names, None if none."""
    # The value signs the hash of the manage token (random, and useless without the token), not
    # the primary key: a sequential id, even signed, is readable and tells how many people booked.
    try:
        token_hash = signing.loads(signed, salt=CONFIRMED_SALT, max_age=CONFIRMED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(token_hash, str):
        return None
    return Appointment.objects.filter(manage_token_hash=token_hash).first()


def _just_booked(request, start: datetime) -> HttpResponse | None:
    """ "You're booked", with the way to the confirmation, when this browser just booked `start`."""
    signed = request.COOKIES.get(JUST_BOOKED_COOKIE, "")
    appointment = _booked_appointment(signed) if signed else None
    if appointment is None or appointment.start != start:
        return None
    if appointment.status != Appointment.Status.CONFIRMED:
        return None
    context = {"confirmed_url": reverse("scheduling:confirmed", args=[signed])}
    return render(request, "scheduling/just_booked.html", context)


def _minutes_to_wait(request) -> int:
    """Whole minutes until this client's booking window ends (one query, on the refused path only)."""
    key = throttle.throttle_key("book", client_address(request))
    window_start = Throttle.objects.filter(key=key).values_list("window_start", flat=True).first()
    if window_start is None:
        return BOOKING_WINDOW.seconds // 60
    left = window_start + BOOKING_WINDOW - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def _throttled(request, *, state: str) -> HttpResponse:
    """Too many booking posts from this client: the form again, everything typed kept (as initial
    values, so nothing is validated or booked), a fresh form token, and how long to wait."""
    typed = {name: value for name, value in request.POST.items() if name in BookingForm.base_fields}
    tz = typed.get("time_zone", "")
    if tz not in STATE_ZONES[state]:
        tz = STATE_ZONES[state][0]
    form = BookingForm(
        initial={**typed, "time_zone": tz, "form_token": new_form_token()}, state_name=STATE_NAMES[state]
    )
    minutes = _minutes_to_wait(request)
    start = parse_instant(request.POST.get("start", ""))
    context = {
        **_details_context(form=form, state=state, tz=tz, start=start),
        "throttled_message": MSG_THROTTLED % {"minutes": minutes},
    }
    return render(request, "scheduling/details.html", context, status=429)


@never_cache
@require_safe
def confirmed(request, signed: str):
    """Step 4: what was booked, in the patient's zone and the clinic's. No personal data shown."""
    appointment = _booked_appointment(signed)
    if appointment is None:
        raise Http404
    context = {
        "appointment": appointment,
        "reminder": messages.queued_reminder_promise(appointment),
        "masked_phone": display.masked_phone(appointment.phone),
        "video_room_url": video_room_url(appointment),
        **zone_context(appointment.time_zone, appointment.state),
    }
    return render(request, "scheduling/confirmed.html", context)


@require_safe
def slots_json(request):
    """Free slots as JSON: {"time_zone": tz, "slots": [{"start", "end"}]}, shown in `tz`."""
    params = SlotsJsonForm.plain(request.GET)
    if params is None:
        form = SlotsJsonForm(request.GET)
        if not form.is_valid():
            first_error = next(iter(form.errors.values()))[0]
            return JsonResponse({"error": first_error}, status=400)
        params = form.cleaned_data["tz"], form.cleaned_data["start"], form.cleaned_data["days"]
    tz, start, days = params

    def build() -> str:
        zone = zoneinfo.ZoneInfo(tz)
        slots = selectors.patient_slots(tz=tz, start=start, days=days)
        return json.dumps(
            {
                "time_zone": tz,
                "slots": [
                    {"start": s.start.astimezone(zone).isoformat(), "end": s.end.astimezone(zone).isoformat()}
                    for s in slots
                ],
            }
        )

    body = selectors.cached_for_everyone(f"slots-json:{tz}:{start.isoformat()}:{days}", build)
    return HttpResponse(body, content_type="application/json")
