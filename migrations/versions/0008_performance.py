"""performance: indexes for the sorts and filters of the main pages

Revision ID: 0008_performance
Revises: 0001_initial
Create Date: 2026-11-27 18:59:50.517885

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_performance'
down_revision = '0007_jobs'
branch_labels = None
depends_on = None


def upgrade():
    # User lists (admin, rosters) sort by name then id and show one page: ORDER BY … LIMIT.
    op.create_index('ix_users_full_name_id', 'users', ['full_name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_users_full_name_id', table_name='users')
