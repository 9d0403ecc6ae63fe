"""feed token: a per-account version signed into the personal calendar feed's address

Raising users.feed_version retires every feed address made before (the owner's «Tạo địa
chỉ mới»). 0, every existing account's version, signs the bare id as the addresses handed
out so far do: they keep working until their owner renews.

Revision ID: 0016_feed_token
Revises: 0015_attendance_reopen
Create Date: 2026-12-03 10:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_feed_token'
down_revision = '0015_attendance_reopen'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('feed_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint(op.f('ck_users_feed_version_not_negative'), 'feed_version >= 0')


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_constraint(op.f('ck_users_feed_version_not_negative'), type_='check')
        batch_op.drop_column('feed_version')
