"""Staff groups with least privilege, created and kept up to date by `manage.py seed`.

"Scheduling staff" runs the booking calendar: appointments (view, change, book for a caller),
weekly hours and time off (full control), the booking rules (view, change), the outbox (view) and
the practice's contact details and video room (view, change).
Nothing else: not users, not articles, not the audit trail. The "Editors" group for articles is
created by the education app's seed.
"""

from django.contrib.auth.models import Group, Permission

SCHEDULING_STAFF = "Scheduling staff"

SCHEDULING_STAFF_PERMISSIONS = {
    "scheduling": {
        "appointment": ["view", "change", "add"],
        "weeklyhours": ["view", "change", "add", "delete"],
        "timeoff": ["view", "change", "add", "delete"],
        "bookingrules": ["view", "change"],
        "notification": ["view"],
    },
    "clinic": {
        "practiceprofile": ["view", "change"],
    },
}


def _permissions(spec: dict[str, dict[str, list[str]]]) -> list[Permission]:
    wanted = {
        (app_label, f"{action}_{model}")
        for app_label, models in spec.items()
        for model, actions in models.items()
        for action in actions
    }
    found = list(
        Permission.objects.filter(
            content_type__app_label__in=spec.keys(), codename__in=[codename for _, codename in wanted]
        ).select_related("content_type")
    )
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        # Permissions are made by `migrate`; a missing one means the database is not migrated.
        raise RuntimeError(f"Missing permissions (run migrate first): {sorted(missing)}")
    return found


def run() -> list[str]:
    """Create or update the groups; their permissions are set to exactly the list above."""
    group, created = Group.objects.get_or_create(name=SCHEDULING_STAFF)
    group.permissions.set(_permissions(SCHEDULING_STAFF_PERMISSIONS))
    return [f"{'Created' if created else 'Updated'} group {SCHEDULING_STAFF!r}."]
