"""The organizers' dashboard: courses to come, approvals waiting, seats, attendance rates."""
