"""The warehouse fixtures, shared."""
from tests.warehouse.conftest import env  # noqa: F401
