"""course code format: letters (Vietnamese too), digits, «-», «/», «.»; no spaces, quotes, line breaks

A course code names downloaded files (roster, sign-in sheet, calendar): a line break made
them a 500, a quote a malformed header. Existing codes with other characters are fixed
first (each run of them becomes «-», NFC composed, made unique with «-<id>»), and every
change is printed, so the upgrade never stops half way on old data.

Revision ID: 0013_course_code_format
Revises: 0012_login_sessions
Create Date: 2026-12-03 10:00:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_course_code_format'
down_revision = '0012_login_sessions'
branch_labels = None
depends_on = None

# Frozen copy of courses.scheduling.codes at this revision.
VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
CLASS = "-./0-9A-Za-z" + VIETNAMESE_LETTERS
DISALLOWED_RUN = re.compile(f"[^{re.escape('-./')}0-9A-Za-z{VIETNAMESE_LETTERS}]+")
NAME = 'code_format'


def _fixed(code: str, course_id: int, taken: set[str]) -> str:
    code = unicodedata.normalize("NFC", code or "").strip()
    fixed = DISALLOWED_RUN.sub("-", code).strip("-")[:40] or f"LOP-{course_id}"
    if fixed.lower() in taken:
        suffix = f"-{course_id}"
        fixed = fixed[:40 - len(suffix)] + suffix
    return fixed


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, code FROM courses ORDER BY id")).all()
    taken = {code.lower() for _, code in rows if code and not DISALLOWED_RUN.search(code)}
    for course_id, code in rows:
        if code and not DISALLOWED_RUN.search(code):
            continue
        fixed = _fixed(code, course_id, taken)
        taken.add(fixed.lower())
        print(f"0013_course_code_format: course {course_id}: code {code!r} becomes {fixed!r}")
        connection.execute(sa.text("UPDATE courses SET code = :code WHERE id = :id"),
                           {"code": fixed, "id": course_id})
    if connection.dialect.name == "sqlite":
        check = f"code <> '' AND code NOT GLOB '*[^{CLASS}]*'"
    else:
        check = f"code ~ '^[{CLASS}]+$'"
    with op.batch_alter_table('courses') as batch_op:
        batch_op.create_check_constraint(NAME, sa.text(check))


def downgrade():
    with op.batch_alter_table('courses') as batch_op:
        batch_op.drop_constraint(NAME, type_='check')
