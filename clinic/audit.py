"""The audit trail's one writer: `record(request, action, ...)`, `record_by(actor, ...)` for services
that write their own event, and the admin mixin that calls it.

Records who, when, what (field NAMES, never values) and from which address. The address is
read as the rate limits and django-axes read it (clinic/client.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from clinic import client as clinic_client
from clinic.models import AuditEvent


def client_address(request) -> str | None:
    return clinic_client.client_address(request) or None


@dataclass(frozen=True)
class Actor:
    """Who asks a service for a change (a staff user, and the address their request came from),
    so the service can write the audit event inside its own transaction."""

    user: object
    client_address: str | None = None

    @classmethod
    def from_request(cls, request) -> "Actor":
        return cls(user=getattr(request, "user", None), client_address=client_address(request))


def _event(request, action: str, *, object_type: str, object_id, fields, detail: str) -> AuditEvent:
    return _event_by(
        Actor.from_request(request),
        action,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        detail=detail,
    )


def _event_by(actor: Actor, action: str, *, object_type: str, object_id, fields, detail: str) -> AuditEvent:
    user = actor.user
    authenticated = user is not None and user.is_authenticated
    return AuditEvent(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        detail=detail[:200],
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        fields=sorted(fields),
        client_address=actor.client_address,
    )


def record_by(actor: Actor, action: str, *, obj, fields: Iterable[str] = (), detail: str = "") -> AuditEvent:
    """Write one audit event for `actor` doing `action` to `obj` (inside the caller's transaction)."""
    event = _event_by(
        actor, action, object_type=obj._meta.label_lower, object_id=obj.pk, fields=fields, detail=detail
    )
    event.save()
    return event


def record(
    request,
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id="",
    fields: Iterable[str] = (),
    detail: str = "",
) -> AuditEvent:
    """Write one audit event for `request.user` doing `action` to `obj` (or type/id given)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = _event(
        request, action, object_type=object_type, object_id=object_id, fields=fields, detail=detail
    )
    event.save()
    return event


def record_many(request, action: str, objects, *, fields: Iterable[str] = (), detail: str = "") -> None:
    """One event per object, in one query (for bulk actions and exports)."""
    AuditEvent.objects.bulk_create(
        _event(
            request, action, object_type=obj._meta.label_lower, object_id=obj.pk, fields=fields, detail=detail
        )
        for obj in objects
    )


class AuditedAdminMixin:
    """Record adds, changes and deletes (field names, never values) in the audit trail (any ModelAdmin)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = form.changed_data if change else list(form.fields)
        record(request, AuditEvent.Action.CHANGE if change else AuditEvent.Action.ADD, obj=obj, fields=fields)

    def delete_model(self, request, obj):
        record(request, AuditEvent.Action.DELETE, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        record_many(request, AuditEvent.Action.DELETE, list(queryset))
        super().delete_queryset(request, queryset)
