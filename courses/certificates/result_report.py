"""The course result report (báo cáo kết quả lớp bồi dưỡng): its figures as tables."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.attendance import completion
from courses.attendance import services as attendance
from courses.auth.models import User
from courses.certificates.lookups import course_certificates
from courses.certificates.reports import ReportTable
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, EnrollmentStatus, SessionKind
from courses.extensions import db
from courses.organizations.models import Organization
from courses.scheduling.models import Course
from courses.text import vietnamese_key


def _grassroots(organization: Organization | None) -> str:
    if organization is None:
        return _("(Chưa rõ đơn vị)")
    if organization.kind.value == "cell" and organization.parent is not None:
        return organization.parent.name
    return organization.name


def result_report_tables(course: Course):
    """The course result report: by organization, attendance per topic, certificates."""
    enrollments = list(db.session.scalars(
        select(Enrollment).where(Enrollment.course_id == course.id)
        .options(joinedload(Enrollment.user).joinedload(User.organization).joinedload(Organization.parent))
    ))
    statuses = attendance.attendance_statuses(course.id)
    present_somewhere = {eid for (eid, _sid), status in statuses.items() if status == AttendanceStatus.PRESENT}
    certificates = course_certificates(course.id)
    valid = {c.enrollment_id for c in certificates if c.revoked_at is None}
    by_org: dict[str, list[int]] = {}
    for e in enrollments:
        counts = by_org.setdefault(_grassroots(e.user.organization), [0, 0, 0, 0])
        if e.status != EnrollmentStatus.CANCELLED:
            counts[0] += 1
        if e.status == EnrollmentStatus.CONFIRMED:
            counts[1] += 1
            if e.id in present_somewhere:
                counts[2] += 1
        if e.id in valid:
            counts[3] += 1
    org_rows = [[name, *counts] for name, counts in sorted(by_org.items(), key=lambda kv: vietnamese_key(kv[0]))]
    totals = [sum(r[i] for r in org_rows) for i in range(1, 5)]
    org_rows.append([_("Tổng cộng"), *totals])
    confirmed = [e for e in enrollments if e.status == EnrollmentStatus.CONFIRMED]
    topic_rows = []
    for session in course.sessions:
        if session.kind != SessionKind.TOPIC:
            continue
        present = sum(1 for e in confirmed if statuses.get((e.id, session.id)) == AttendanceStatus.PRESENT)
        excused = sum(1 for e in confirmed if statuses.get((e.id, session.id)) == AttendanceStatus.EXCUSED)
        rate = f"{100 * present / len(confirmed):.1f}%" if confirmed else "—"
        speaker = session.speaker.full_name if session.speaker else ""
        topic_rows.append([session.display_title, speaker, present, excused, len(confirmed) - present - excused, rate])
    revoked = sum(1 for c in certificates if c.revoked_at is not None)
    cert_rows = [[_("Giấy chứng nhận còn hiệu lực"), len(valid)], [_("Đã thu hồi hoặc thay thế"), revoked]]
    completions = completion.completions(course)
    cert_rows.append([_("Học viên đạt điều kiện hoàn thành"), sum(1 for c in completions if c.qualifies)])
    return [
        ReportTable(_("Học viên theo đơn vị"), [_("Đơn vị"), _("Được cử/đăng ký"), _("Được xác nhận"),
                                                _("Có tham dự"), _("Được cấp GCN")], org_rows),
        ReportTable(_("Tỷ lệ tham dự theo chuyên đề"), [_("Chuyên đề"), _("Báo cáo viên"), _("Có mặt"),
                                                        _("Vắng có phép"), _("Vắng"), _("Tỷ lệ có mặt")], topic_rows),
        ReportTable(_("Giấy chứng nhận"), [_("Nội dung"), _("Số lượng")], cert_rows),
    ]
