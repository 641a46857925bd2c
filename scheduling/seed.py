"""What `manage.py seed` creates for the scheduling app. Returns lines to report."""


def run() -> list[str]:
    return []
