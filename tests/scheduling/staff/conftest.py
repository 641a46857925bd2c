"""Fixtures of the staff tests: signed-in scheduling staff, open hours."""

import pytest

from tests.scheduling import admin_factories as f
from tests.scheduling.factories import open_every_day
from tests.staff import staff_login


@pytest.fixture
def staff(client):
    user = f.scheduling_staff()
    staff_login(client, user)
    return user


@pytest.fixture
def hours():
    open_every_day()
