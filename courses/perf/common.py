"""What the steps of the large synthetic set share: its constants, id pool and bulk insert."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, insert, select

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.demo import FEMALE, MALE, SURNAMES
from courses.enrollment.models import Enrollment
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic

BATCH = 10_000
BLOC_CODE = "LG"
EMAIL_DOMAIN = "large.example.vn"
# Stable handles the benchmarks and tests look up.
ROSTER_COURSE_CODE = "LG-0001"       # finished, 500 confirmed participants (roster, attendance)
CERTIFICATE_COURSE_CODE = "LG-0002"  # finished, 2,000 participants all with certificates (printing)
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
ORGANIZER_EMAIL = f"organizer@{EMAIL_DOMAIN}"
BUSY_PARTICIPANT_EMAIL = f"hv00001@{EMAIL_DOMAIN}"  # enrolled in many courses (dashboard)
DEFAULT_PASSWORD = "Matkhau@2022"
ISSUING_UNIT_CODE = "GCN-LG"

GRASSROOTS_PREFIXES = ["Đảng bộ Bộ", "Đảng bộ Cơ quan", "Đảng bộ Ban", "Đảng bộ Viện", "Đảng bộ Báo"]
GRASSROOTS_SUBJECTS = ["Kế hoạch", "Tư pháp", "Văn hóa", "Giáo dục", "Khoa học", "Y tế", "Nội vụ",
                       "Xây dựng", "Nông nghiệp", "Công thương", "Tài nguyên", "Giao thông"]
CELL_NAMES = ["Chi bộ Văn phòng", "Chi bộ Vụ Tổng hợp", "Chi bộ Vụ Địa phương",
              "Chi bộ Vụ Tổ chức cán bộ", "Chi bộ Vụ Kế hoạch - Tài chính"]
ROOMS = ["Hội trường A", "Hội trường B", "Phòng họp số 3", "Phòng họp số 5"]
VENUES = ["Hội trường Đảng ủy Khối, Hà Nội", "Trung tâm Hội nghị, Hà Nội", "Trường Chính trị, Hà Nội"]
COURSE_TITLES = [
    "Bồi dưỡng nghiệp vụ công tác Đảng cho cấp ủy viên cơ sở",
    "Bồi dưỡng bí thư chi bộ trực thuộc",
    "Bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát",
    "Bồi dưỡng nghiệp vụ công tác tư tưởng, tuyên truyền",
    "Bồi dưỡng nghiệp vụ công tác văn phòng cấp ủy",
]


def local_at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


class IdPool:
    """Hands out primary keys after the largest one already in each table."""

    def __init__(self, models):
        self.next = {}
        for model in models:
            self.next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def bulk_insert(model, rows: list[dict]) -> None:
    """executemany in large batches through Core."""
    table = model.__table__
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def fictional_name(rng: random.Random) -> str:
    middles, givens = rng.choice([MALE, FEMALE])
    return f"{rng.choice(SURNAMES)} {rng.choice(middles)} {rng.choice(givens)}"


@dataclass
class Load:
    """What the steps of one load share: the generator, the ids, and what earlier steps made."""

    rng: random.Random
    ids: IdPool
    anchor: date
    now: datetime
    rows: dict[str, list[dict]] = field(default_factory=dict)
    bloc_id: int = 0
    cell_ids: list[int] = field(default_factory=list)
    grassroots_of: dict[int, int] = field(default_factory=dict)  # cell id -> its grassroots id
    admin_id: int = 0
    organizer_ids: list[int] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)
    organization_of: dict[int, int] = field(default_factory=dict)  # participant id -> cell id
    topic_ids: list[int] = field(default_factory=list)
    speaker_ids: list[int] = field(default_factory=list)
    course_plan: list[tuple] = field(default_factory=list)


MODELS = (Organization, User, Topic, Speaker, Course, CourseSession, Material, Enrollment,
          Attendance, Certificate)


