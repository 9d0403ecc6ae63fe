"""attendance reopen: an admin reopens a course's locked attendance, with a reason

Revision ID: 0015_attendance_reopen
Revises: 0014_rate_limit_counters
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_attendance_reopen'
down_revision = '0014_rate_limit_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendance_reopenings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reopened_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_attendance_reopenings_reason_given')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_attendance_reopenings_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'],
                                name=op.f('fk_attendance_reopenings_reopened_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_reopenings')),
    )
    op.create_index('ix_attendance_reopenings_course_id', 'attendance_reopenings', ['course_id'], unique=False)
    op.create_index('ix_attendance_reopenings_reopened_by_id', 'attendance_reopenings', ['reopened_by_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_attendance_reopenings_reopened_by_id', table_name='attendance_reopenings')
    op.drop_index('ix_attendance_reopenings_course_id', table_name='attendance_reopenings')
    op.drop_table('attendance_reopenings')
