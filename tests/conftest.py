import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing speed is not under test; PBKDF2 would make every login slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache outlives a test's database transaction: start each test without stale pages or slots.
    cache.clear()
    yield
    cache.clear()
