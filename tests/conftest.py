import pytest
from django.core.cache import cache

# Every test: the Spanish catalog compiled (session), and English again after a Spanish request.
from tests.clinic.catalog import english_after_each_test, spanish_catalog  # noqa: F401 (autouse fixtures)


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
