"""Staff groups with least privilege, created by `manage.py seed`. (Filled in by the staff-admin issue.)"""


def run() -> list[str]:
    return []
