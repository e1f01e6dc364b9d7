"""users.locale: the language a person chose for pages and emails

Revision ID: 0011_user_locale
Revises: 0010_sessions
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_user_locale"
down_revision = "0010_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")
