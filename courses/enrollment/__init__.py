"""Registration and enrollment: capacity, waitlist, approval, quotas, import, rosters, sign-in sheets."""
from courses.enrollment import locking  # noqa: F401  (installs the SQLite busy timeout)
