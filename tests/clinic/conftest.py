import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests.clinic.catalog import compile_if_stale


@pytest.fixture(scope="session", autouse=True)
def _spanish_catalog():
    compile_if_stale()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request to a Spanish page leaves Spanish active in the thread that served it (the test's):
    # the next test, and code run outside a request, start from English again.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def empty_cache():
    # Pages are cached; a page cached by one test must not answer in the next.
    cache.clear()
    yield
    cache.clear()
