"""Imports every model module so the metadata is complete (for Alembic and the tests)."""

from marketplace.accounts import models as accounts  # noqa: F401
from marketplace.core import audit, outbox  # noqa: F401
from marketplace.incubator import models as incubator  # noqa: F401
from marketplace.ip import models as ip  # noqa: F401
from marketplace.ip.licenses import models as licenses  # noqa: F401
from marketplace.listings import models as listings  # noqa: F401
from marketplace.notifications import models as notifications  # noqa: F401
from marketplace.payments import models as payments  # noqa: F401
