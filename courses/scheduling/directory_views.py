"""Organizer pages under /organize for the topic catalogue and the speaker directory
(routes of the scheduling blueprint)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.permissions import staff_required
from courses.routing import found_or_404
from courses.scheduling import directory, queries
from courses.scheduling.blueprint import bp
from courses.scheduling.forms import SpeakerForm, TopicForm
from courses.scheduling.models import Speaker

# ---------------------------------------------------------------- topics

@bp.route("/topics", methods=["GET", "POST"])
@staff_required
def topics():
    """The topic catalogue, with a form to add one."""
    form = TopicForm()
    if form.call_service(lambda: directory.save_topic(
            current_user, None, form.code.data, form.name.data, form.description.data or "",
            form.default_duration_minutes.data)):
        flash(_("Đã thêm chuyên đề «%(name)s».", name=form.name.data), "success")
        return redirect(url_for("scheduling.topics"))
    items = queries.topics_in_order()
    return render_template("scheduling/topics.html", topics=items, form=form)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_topic(topic_id: int):
    """Change a topic."""
    topic = found_or_404(queries.load_topic(topic_id))
    form = TopicForm(obj=topic)
    if form.call_service(lambda: directory.save_topic(
            current_user, topic, form.code.data, form.name.data, form.description.data or "",
            form.default_duration_minutes.data)):
        flash(_("Đã lưu chuyên đề."), "success")
        return redirect(url_for("scheduling.topics"))
    return render_template("scheduling/topic_form.html", form=form, topic=topic)


# ---------------------------------------------------------------- speakers

@bp.route("/speakers")
@staff_required
def speakers():
    """The speaker directory."""
    items = queries.speakers_by_name()
    return render_template("scheduling/speakers.html", speakers=items)


def _save_speaker(form: SpeakerForm, speaker: Speaker | None):
    upload = form.photo.data if getattr(form.photo.data, "filename", None) else None
    return directory.save_speaker(
        current_user, speaker, form.full_name.data, form.title.data or "", form.organization_name.data or "",
        form.bio.data or "", photo=upload.stream if upload else None,
        photo_filename=upload.filename if upload else None, remove_photo=form.remove_photo.data,
    )


@bp.route("/speakers/new", methods=["GET", "POST"])
@staff_required
def create_speaker():
    """Add a speaker."""
    form = SpeakerForm()
    if form.call_service(lambda: _save_speaker(form, None)):
        speaker = form.result
        flash(_("Đã thêm báo cáo viên %(name)s.", name=speaker.full_name), "success")
        return redirect(url_for("scheduling.speaker", speaker_id=speaker.id))
    return render_template("scheduling/speaker_form.html", form=form, speaker=None)


@bp.route("/speakers/<int:speaker_id>")
@staff_required
def speaker(speaker_id: int):
    """A speaker with their sessions, upcoming and past."""
    speaker = found_or_404(queries.load_speaker(speaker_id))
    upcoming, past = directory.speaker_sessions(speaker)
    return render_template("scheduling/speaker.html", speaker=speaker, upcoming=upcoming, past=past)


@bp.route("/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_speaker(speaker_id: int):
    """Change a speaker."""
    speaker = found_or_404(queries.load_speaker(speaker_id))
    form = SpeakerForm(obj=speaker)
    if form.call_service(lambda: _save_speaker(form, speaker)):
        flash(_("Đã lưu báo cáo viên."), "success")
        return redirect(url_for("scheduling.speaker", speaker_id=speaker.id))
    return render_template("scheduling/speaker_form.html", form=form, speaker=speaker)
