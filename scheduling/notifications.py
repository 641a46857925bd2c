"""The outbox: messages about appointments, queued in the caller's transaction, sent after commit.

(Placeholder bodies: the notifications issue fills these in; the signatures are the contract.)
"""


def notify_booked(appointment, *, manage_token: str) -> None:
    pass


def notify_cancelled(appointment, *, by_clinic: bool, message: str = "") -> None:
    pass


def notify_moved(appointment, *, previous_start, manage_token: str | None) -> None:
    pass


def notify_manage_link(appointment, *, manage_token: str) -> None:
    pass


def notify_status_changed(appointment) -> None:
    pass
