import pytest
from django.core.cache import cache


@pytest.fixture
def empty_cache():
    # Pages are cached; a page cached by one test must not answer in the next.
    cache.clear()
    yield
    cache.clear()
