"""The module Django's admin autodiscovery imports: the staff side lives in scheduling.staff."""

from scheduling.busy import admin as busy_admin  # noqa: F401 - the doctor's busy calendars
from scheduling.staff import admin, availability, outbox  # noqa: F401 - registers the models
