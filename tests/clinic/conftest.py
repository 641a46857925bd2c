import pytest
from django.core.cache import cache

from tests.clinic.catalog import english_after_each_test, spanish_catalog  # noqa: F401 (autouse fixtures)


@pytest.fixture
def empty_cache():
    # Pages are cached; a page cached by one test must not answer in the next.
    cache.clear()
    yield
    cache.clear()
