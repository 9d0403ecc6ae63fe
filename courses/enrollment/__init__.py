"""Registration and enrollment: capacity, waitlist, approval, quotas, import, rosters, sign-in sheets."""
