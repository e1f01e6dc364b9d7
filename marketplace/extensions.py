"""Unbound extension instances; ``create_app`` binds them to an app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from marketplace.core import ratelimit_storage  # noqa: F401  (registers the sqlite:// rate-limit storage)
from marketplace.core.api import ProblemApi
from marketplace.core.db import Base

db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
login_manager = LoginManager()
api = ProblemApi()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
