"""Public pages: the home page, the catalogue, a course's page, its programme, calendar and materials."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.catalog import photos, services
from courses.catalog.feed import feed_token, renew_feed_token, user_for_feed_token
from courses.catalog.forms import RenewFeedForm
from courses.downloads import send_download
from courses.enrollment.forms import ActionForm
from courses.enrollment.waitlist import course_page_state
from courses.enums import CourseStatus
from courses.extensions import login_manager
from courses.formatting import LOCAL_TZ
from courses.permissions import login_required, public
from courses.routing import external_url, id_arg, page_arg, public_base_url
from courses.scheduling import files, materials
from courses.scheduling import queries as scheduling_queries
from courses.scheduling.calendar import build_calendar
from courses.scheduling.models import Course
from courses.scheduling.pdf import render_programme

bp = Blueprint("catalog", __name__)

PER_PAGE = 12


@bp.route("/")
@public
def index():
    """Home: published courses to come and the ones recently held."""
    today = datetime.now(LOCAL_TZ).date()
    return render_template(
        "catalog/index.html",
        upcoming=services.upcoming_courses(today),
        recent=services.recent_courses(today),
    )


@bp.route("/courses")
@public
def catalogue():
    """Published courses, upcoming first; search by title, filter by topic, unit and month; paginated."""
    today = datetime.now(LOCAL_TZ).date()
    query = (request.args.get("q") or "").strip()[:200]
    topic_id = id_arg("topic")
    unit_id = id_arg("unit")
    month_text = request.args.get("month") or ""
    month = services.parse_month(month_text)
    statement = services.catalogue_statement(today, query, topic_id, unit_id, month)
    return render_template(
        "catalog/catalogue.html", page=services.catalogue_page(statement, page_arg(), PER_PAGE), query=query,
        topic_id=topic_id, unit_id=unit_id, month=month_text if month else "",
        topics=scheduling_queries.topics_in_order(), units=services.organizing_units(),
    )


def _viewable_page(course_id: int) -> services.CoursePage:
    page = services.course_page(course_id)
    if page is None or not services.can_view_course(current_user, page.course):
        abort(404)
    return page


def _viewable_course(course_id: int) -> Course:
    return _viewable_page(course_id).course


@bp.route("/courses/<int:course_id>")
@public
def course(course_id: int):
    """A course's page: description, timetable with topics and speakers, materials, seats."""
    course, confirmed = _viewable_page(course_id)
    speakers = []
    for item in course.sessions:
        if item.speaker is not None and item.speaker not in speakers:
            speakers.append(item.speaker)
    days = services.sessions_by_day(course)
    visible = materials.visible_materials(current_user, course)
    enrollment_state = None  # a draft offers no registration
    if course.status != CourseStatus.DRAFT:
        enrollment_state = {**course_page_state(current_user, course), "form": ActionForm()}
    return render_template(
        "catalog/course.html",
        course=course,
        days=days,
        speakers=speakers,
        seats_left=max(course.capacity - confirmed, 0),
        confirmed=confirmed,
        materials=visible,
        enrollment_state=enrollment_state,
    )


@bp.route("/courses/<int:course_id>.ics")
@public
def course_calendar(course_id: int):
    """The course's timetable as an iCalendar file: one event per session, Vietnam time."""
    course = _viewable_course(course_id)
    body = build_calendar(course.title, services.calendar_events(course, public_base_url()))
    return send_download(body, f"{course.code}.ics", "text/calendar")


@bp.route("/courses/<int:course_id>/programme.pdf")
@public
def programme(course_id: int):
    """The printable programme (A4 PDF) handed out on the day."""
    course = _viewable_course(course_id)
    body = render_programme(services.programme_for(course))
    return send_download(body, f"chuong-trinh-{course.id}.pdf", "application/pdf", inline=True)


@bp.route("/materials/<int:material_id>")
@public
def material(material_id: int):
    """A material's file or link, after checking who may see it; sent with its original name."""
    item = scheduling_queries.load_material(material_id)
    if item is None or not materials.can_view_material(current_user, item):
        # Missing and forbidden answer alike, so guessing ids reveals nothing: a visitor is
        # sent to log in (a participant may then see it), a logged-in user gets 404.
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(404)
    if item.url:
        return render_template("catalog/link.html", material=item)
    path = materials.material_path(item)
    if not path.exists():
        current_app.logger.error("material %s: stored file %s is missing", item.id, item.stored_name)
        abort(404)
    inline = (item.content_type or "").startswith("image/") or item.content_type == "application/pdf"
    return send_download(path, item.original_filename or "tai-lieu", item.content_type or "application/octet-stream",
                         inline=inline)


@bp.route("/speakers/<int:speaker_id>/photo")
@public
def speaker_photo(speaker_id: int):
    """A speaker's photo (speakers are shown on public course pages)."""
    speaker = scheduling_queries.load_speaker(speaker_id)
    if speaker is None or not speaker.photo_stored_name or not photos.can_view_photo(current_user, speaker):
        abort(404)  # a speaker of draft courses only is not public yet
    path = files.stored_path(current_app.config["UPLOAD_DIR"], speaker.photo_stored_name)
    if not path.exists():
        abort(404)
    data = path.read_bytes()[:64]
    kind = files.sniff(data)
    mimetype = kind.content_type if kind else "application/octet-stream"
    if not photos.is_public_photo(speaker):  # seen by staff (or a cancelled course's participants) only
        return send_download(path, f"anh-bao-cao-vien-{speaker.id}", mimetype, inline=True)
    return send_file(path, mimetype=mimetype, max_age=3600)


@bp.route("/my/calendar")
@login_required
def my_calendar():
    """The page giving a participant the address of their personal calendar feed."""
    courses = services.confirmed_courses(current_user)
    url = external_url("catalog.calendar_feed", token=feed_token(current_user))
    return render_template("catalog/my_calendar.html", courses=courses, feed_url=url, renew_form=RenewFeedForm())


@bp.route("/my/calendar/renew", methods=["POST"])
@login_required
def renew_calendar_feed():
    """A new address for one's own feed; the old one answers 404 from now on."""
    form = RenewFeedForm()
    if form.validate_on_submit():
        renew_feed_token(current_user)
        flash(_("Đã tạo địa chỉ lịch mới. Địa chỉ cũ không còn hoạt động; hãy thêm địa chỉ mới vào ứng dụng lịch."), "success")
    else:
        errors = form.understood.errors or [_("Yêu cầu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.")]
        flash(errors[0], "danger")
    return redirect(url_for("catalog.my_calendar"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """A personal feed of the sessions of one's confirmed courses (the token stands for the log-in)."""
    user = user_for_feed_token(token)
    if user is None:
        abort(404)
    base = public_base_url()
    events = [event for course in services.confirmed_courses(user)
              for event in services.calendar_events(course, base)]
    body = build_calendar(f"Lịch học — {user.full_name}", events)
    return Response(body, mimetype="text/calendar")
