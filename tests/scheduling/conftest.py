import time
from types import SimpleNamespace

import pytest


@pytest.fixture
def one_slot_cache_window(monkeypatch):
    """Holds the clock that names the slot-cache window (scheduling.selectors, SLOTS_CACHE_SECONDS)
    still for the test: a test that asks twice to see the second answer come from the cache must not
    fail because its two requests fell on either side of a 30-second boundary."""
    from scheduling import selectors

    held = time.time()
    monkeypatch.setattr(selectors, "clock", SimpleNamespace(time=lambda: held))
