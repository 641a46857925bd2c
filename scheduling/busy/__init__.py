"""The doctor's own calendars (subscribed ICS addresses) as busy times that block booking.

`fetch` reads an address safely, `parse` turns a calendar file into busy intervals, and `sync`
stores them (one calendar at a time, failing closed). `admin` is registered from
scheduling/admin.py. Every message here names a calendar by its staff-given name, never its
address: the address is a secret.
"""
