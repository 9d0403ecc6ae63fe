"""Imports every model so metadata, migrations and the shell see them all."""
from courses.attendance.models import Attendance, CheckInCode
from courses.audit.models import AuditEvent
from courses.auth.models import User
from courses.certificates.models import Certificate, CertificateSettings, SerialCounter
from courses.enrollment.models import CourseQuota, Enrollment
from courses.jobs.models import Job
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic
from courses.security.rate_store import RateLimitCounter

__all__ = [
    "Attendance", "AuditEvent", "Certificate", "CertificateSettings", "CheckInCode", "Course",
    "CourseQuota", "CourseSession", "Enrollment", "Job", "Material", "Organization", "RateLimitCounter", "SerialCounter",
    "Speaker", "Topic", "User",
]
