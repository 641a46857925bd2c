import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Article pages are cached; a page cached by one test must not answer in the next.
    cache.clear()
    yield
    cache.clear()
