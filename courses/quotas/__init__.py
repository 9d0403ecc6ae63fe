"""Quotas and nominations: the seats each grassroots organization is given in a course, and its coordinator's nominations."""
