import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing speed is not under test; PBKDF2 would make every login slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
