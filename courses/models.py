"""Imports every model so metadata, migrations and the shell see them all."""
from courses.attendance.models import Attendance
from courses.audit.models import AuditEvent
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.enrollment.models import Enrollment
from courses.jobs.models import Job
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic

__all__ = [
    "Attendance", "AuditEvent", "Certificate", "Course", "CourseSession", "Enrollment",
    "Job", "Material", "Organization", "Speaker", "Topic", "User",
]
