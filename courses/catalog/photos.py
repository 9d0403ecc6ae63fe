"""Who may see a speaker's photo: the photo is public only where the speaker is.

A speaker appears on the pages of the courses they teach in; one who teaches only in
draft courses is not public yet, so neither is their photo (staff see it to prepare).
"""
from __future__ import annotations

from sqlalchemy import exists, select

from courses.catalog.services import LISTED_STATUSES
from courses.enrollment.models import Enrollment
from courses.enums import CourseStatus
from courses.extensions import db
from courses.permissions import is_staff
from courses.scheduling.models import Course, CourseSession, Speaker


def is_public_photo(speaker: Speaker) -> bool:
    """Whether the speaker teaches in a course listed in the catalogue (anyone sees the photo)."""
    return bool(db.session.scalar(select(exists().where(
        CourseSession.speaker_id == speaker.id, CourseSession.course_id == Course.id,
        Course.status.in_(LISTED_STATUSES)))))


def can_view_photo(user, speaker: Speaker) -> bool:
    """Staff always; others where they can see a course of the speaker's (cancelled: its participants)."""
    if is_staff(user) or is_public_photo(speaker):
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(exists().where(
        CourseSession.speaker_id == speaker.id, CourseSession.course_id == Course.id,
        Course.status == CourseStatus.CANCELLED, Enrollment.course_id == Course.id,
        Enrollment.user_id == user.id))))
