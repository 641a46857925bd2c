"""Time labels in templates, from `scheduling.display` (the one home of how times read):
`{{ day|weekday_date }}`, `{{ instant|full_date:tz }}`, `{{ instant|clock:tz }}`,
`{{ day|short_weekday }}`, `{{ day|short_date }}`. `tz` is an IANA key."""

from zoneinfo import ZoneInfo

from django import template

from scheduling import display

register = template.Library()


def _zone(tz: str | None) -> ZoneInfo | None:
    return ZoneInfo(tz) if tz else None


@register.filter
def weekday_date(value, tz: str | None = None) -> str:
    return display.weekday_date(value, _zone(tz))


@register.filter
def full_date(value, tz: str | None = None) -> str:
    return display.full_date(value, _zone(tz))


@register.filter
def clock(value, tz: str) -> str:
    return display.clock(value, ZoneInfo(tz))


@register.filter
def short_weekday(value) -> str:
    return display.short_weekday(value)


@register.filter
def short_date(value) -> str:
    return display.short_date(value)
