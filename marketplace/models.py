"""Imports every model module so the metadata is complete (for Alembic and the tests)."""

from marketplace.accounts import models as accounts  # noqa: F401
from marketplace.core import audit  # noqa: F401
from marketplace.notifications import models as notifications  # noqa: F401
from marketplace.payments import models as payments  # noqa: F401
