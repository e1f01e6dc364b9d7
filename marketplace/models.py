"""Imports every model module so the metadata is complete (for Alembic and the tests)."""

from marketplace.accounts import models as accounts  # noqa: F401
from marketplace.core import audit, outbox  # noqa: F401
from marketplace.ip import models as ip  # noqa: F401
from marketplace.listings import models as listings  # noqa: F401
from marketplace.notifications import models as notifications  # noqa: F401
from marketplace.search import models as search  # noqa: F401
