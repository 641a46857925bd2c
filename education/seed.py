"""What `manage.py seed` creates for the education app. Returns lines to report."""


def run() -> list[str]:
    return []
