"""Scheduling: the course editor, timetable, topic catalogue, speaker directory and materials."""
