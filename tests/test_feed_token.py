"""The personal calendar feed's address can be renewed by its owner (courses/catalog/feed.py).

What a participant notices: on «Lịch học của tôi» they can make a new address after ticking
that the old one stops working; the old address then answers 404 and the new one the
timetable. Nobody else can renew it for them, and a feed address handed out before
renewal existed keeps working until its owner renews.
"""
import html
import re

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from courses.auth.models import User
from courses.catalog.feed import FEED_SALT, feed_token, renew_feed_token, user_for_feed_token
from courses.extensions import db
from tests.conftest import login
from tests.factories import make_course, make_enrollment, make_session, make_user

FEED_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')


def _feed_path(client) -> str:
    page = client.get("/my/calendar")
    assert page.status_code == 200
    url = html.unescape(FEED_URL.search(page.get_data(as_text=True)).group(1))
    return url.removeprefix("http://localhost")


def _renew(client, **data):
    return client.post("/my/calendar/renew", data={"understood": "y", **data})


@pytest.fixture
def participant(app):
    course = make_course(title="Lớp bồi dưỡng lý luận chính trị")
    make_session(course)
    user = make_user()
    make_enrollment(user, course)
    return user


def test_the_owner_renews_the_address_and_the_old_one_answers_404(client, participant):
    login(client, participant.email)
    page = client.get("/my/calendar").get_data(as_text=True)
    assert "Tạo địa chỉ mới" in page and 'name="understood"' in page
    old = _feed_path(client)
    first = client.get(old)
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    assert "Lớp bồi dưỡng lý luận chính trị" in first.get_data(as_text=True)

    response = _renew(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/calendar")
    assert "Đã tạo địa chỉ lịch mới" in client.get("/my/calendar").get_data(as_text=True)
    new = _feed_path(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert "Lớp bồi dưỡng lý luận chính trị" in client.get(new).get_data(as_text=True)

    _renew(client)  # renewed again: the second address retires too
    assert client.get(new).status_code == 404
    assert client.get(old).status_code == 404
    assert client.get(_feed_path(client)).status_code == 200


def test_nothing_changes_until_the_owner_ticks_that_the_old_address_stops(client, participant):
    login(client, participant.email)
    old = _feed_path(client)
    response = client.post("/my/calendar/renew", data={})
    assert response.status_code == 302
    assert "Hãy đánh dấu ô xác nhận trước khi tạo địa chỉ mới." in client.get("/my/calendar").get_data(as_text=True)
    assert _feed_path(client) == old
    assert client.get(old).status_code == 200


def test_another_user_cannot_renew_your_address(app, client, participant):
    yours = feed_token(participant)
    other = make_user()
    login(client, other.email)
    others_old = _feed_path(client)
    assert _renew(client, user_id=str(participant.id)).status_code == 302  # renews their own, whatever is sent
    assert client.get(others_old).status_code == 404
    client.post("/auth/logout")
    assert client.get(f"/calendar/{yours}.ics").status_code == 200
    anonymous = app.test_client()
    assert _renew(anonymous).status_code == 302  # to the log-in page
    db.session.expire_all()
    assert db.session.get(User, participant.id).feed_version == 0
    assert anonymous.get(f"/calendar/{yours}.ics").status_code == 200


def test_renewing_needs_the_forms_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user()
        token = feed_token(user)
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": user.email, "password": "Matkhau123", "csrf_token": csrf})
        assert _renew(client).status_code == 400
        assert client.get(f"/calendar/{token}.ics").status_code == 200


def test_an_address_from_before_renewal_existed_keeps_working(app, participant):
    # Those addresses signed the bare id; version 0 is every account's until it renews.
    before = URLSafeSerializer(app.config["SECRET_KEY"], salt=FEED_SALT).dumps(participant.id)
    assert feed_token(participant) == before
    client = app.test_client()
    assert client.get(f"/calendar/{before}.ics").status_code == 200
    renew_feed_token(participant)
    assert client.get(f"/calendar/{before}.ics").status_code == 404


def test_only_the_current_version_opens_the_feed(app, participant):
    tokens = [feed_token(participant)]
    for _ in range(3):
        tokens.append(renew_feed_token(participant))
    assert len(set(tokens)) == 4
    assert [user_for_feed_token(token) for token in tokens] == [None, None, None, participant]
    forged = URLSafeSerializer("another-key", salt=FEED_SALT).dumps([participant.id, 3])
    for token in [forged, "not-a-token", URLSafeSerializer(app.config["SECRET_KEY"], salt=FEED_SALT).dumps(
            [participant.id, True]), URLSafeSerializer(app.config["SECRET_KEY"], salt=FEED_SALT).dumps(
            [participant.id, 0])]:
        assert user_for_feed_token(token) is None
        assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


def test_a_negative_feed_version_is_refused_by_the_database(app, participant):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(User).where(User.id == participant.id).values(feed_version=-1))
        db.session.flush()
    db.session.rollback()
