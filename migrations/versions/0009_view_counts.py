"""view counts: marks of viewers already counted per listing and window (de-duplicated views)

Revision ID: 0009_view_counts
Revises: 0008_purchase_guard
Create Date: 2026-12-02 12:50:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.db


# revision identifiers, used by Alembic.
revision = '0009_view_counts'
down_revision = '0008_purchase_guard'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing_view_marks',
    sa.Column('window_start', marketplace.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('viewer', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_view_marks_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('window_start', 'listing_id', 'viewer', name=op.f('pk_listing_view_marks'))
    )


def downgrade():
    op.drop_table('listing_view_marks')
