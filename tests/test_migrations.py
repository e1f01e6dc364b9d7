"""Migrations are the schema: upgrading an empty database yields exactly the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from marketplace.core.db import include_object
from marketplace.extensions import db


def test_upgrade_from_empty_matches_the_models(app):
    # The session fixture ran `upgrade` on an empty database; nothing may differ from the models.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_downgrade_to_base_and_upgrade_again(app):
    downgrade(revision="base")
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, db.metadata) == []
