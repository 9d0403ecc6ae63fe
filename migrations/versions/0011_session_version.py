"""session version: a per-account counter in the log-in id, raised to end every session

Revision ID: 0011_session_version
Revises: 0010_attendance_presence
Create Date: 2026-12-03 09:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_session_version'
down_revision = '0010_attendance_presence'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('session_version')
