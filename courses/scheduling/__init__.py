"""Scheduling: the course editor, timetable, topic catalogue, speaker directory and materials.

Every change in its service modules (lifecycle, timetable, directory, materials) takes the
acting user, checks the rules, records an AuditEvent for each change and commits once.
Errors are DomainError with a Vietnamese message.
"""
