"""scheduling: index a speaker's sessions by time for the double-booking check

Revision ID: 0002_scheduling
Revises: 0001_initial
Create Date: 2026-11-27 19:17:43.644806

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_scheduling'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_course_sessions_speaker_id_starts_at', ['speaker_id', 'starts_at'], unique=False)


def downgrade():
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_course_sessions_speaker_id_starts_at')
