"""The module Django's admin autodiscovery imports: the staff side lives in scheduling.staff."""

from scheduling.staff import admin, availability, outbox  # noqa: F401 - registers the models
