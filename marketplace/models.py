"""Imports every model module so the metadata is complete (for Alembic and the tests)."""

from marketplace.accounts import models as accounts  # noqa: F401
from marketplace.core import audit, outbox  # noqa: F401
from marketplace.incubator import models as incubator  # noqa: F401
from marketplace.ip import models as ip  # noqa: F401
from marketplace.ip.licenses import models as licenses  # noqa: F401
from marketplace.listings import models as listings  # noqa: F401
from marketplace.listings import view_counts  # noqa: F401
from marketplace.notifications import models as notifications  # noqa: F401
from marketplace.payments import models as payments  # noqa: F401
from marketplace.deals.inquiries import models as inquiries  # noqa: F401
from marketplace.deals.ndas import models as ndas  # noqa: F401
from marketplace.deals.offers import models as offers  # noqa: F401
from marketplace.deals.sponsorships import models as sponsorships  # noqa: F401
from marketplace.search import models as search  # noqa: F401
from marketplace.jobs.webhooks import models as webhooks  # noqa: F401
