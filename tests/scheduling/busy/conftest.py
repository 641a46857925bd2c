import pytest

from tests.scheduling.busy import server as calendar_server


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    # The test server is on 127.0.0.1; production refuses such addresses.
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def calendars():
    """A real HTTP server on 127.0.0.1 serving calendar files (see server.py)."""
    server = calendar_server.CalendarServer()
    httpd = calendar_server.start(server)
    yield server
    calendar_server.stop(server, httpd)
