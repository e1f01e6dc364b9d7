"""reminders_sent (each reminder at most once per object, stage and person) and reminder_mutes

Revision ID: 0016_reminders
Revises: 0009_view_counts
Create Date: 2026-12-02 13:40:00

"""
from alembic import op
import sqlalchemy as sa

from marketplace.core.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0016_reminders"
down_revision = "0014_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_sent_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("kind", "object_type", "object_id", "stage", "user_id", name="uq_reminders_sent_once"),
    )
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_sent_user_id"), ["user_id"], unique=False)
    op.create_table(
        "reminder_mutes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminder_mutes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_reminder_mutes")),
    )


def downgrade():
    op.drop_table("reminder_mutes")
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_sent_user_id"))
    op.drop_table("reminders_sent")
