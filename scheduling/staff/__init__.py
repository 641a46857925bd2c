"""The staff side of scheduling: Django admin for the booking calendar, one module per concern.

    admin.py         registration of appointments (list, change page, actions, extra pages)
    outbox.py        registration of the outbox (read-only, manage links blanked)
    conflicts.py     availability changes that would strand confirmed calls: shown, then chosen
    availability.py  registrations: weekly hours, time off, booking rules
    pages.py         StaffPage, the permission-checked base of every custom admin page
    forms.py         the staff forms (booking for a caller, new time, cancel, time off)
    agenda.py        the day/week agenda page
    booking.py       booking, moving, cancelling and marking a call for a caller
    export.py        the CSV export of the filtered list
    reports.py       meet-and-greets by month
    feed.py          the staff calendar feed (and the page that issues its address)

Staff never change an appointment's time or status through a model form: those go through the
same services as the public flow (scheduling.services), so every rule holds for staff too.
`scheduling/admin.py` only imports this package, so Django's autodiscovery finds it.
"""
