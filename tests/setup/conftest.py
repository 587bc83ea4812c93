import pytest
from django.db import connection

from tests.setup.databases import new_database


@pytest.fixture
def database_url(tmp_path):
    """A new, empty database of the suite's own kind, dropped afterwards."""
    with new_database(connection.vendor, tmp_path) as url:
        yield url
