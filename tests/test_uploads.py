"""Upload protections: the size limit acts before the body is read; stored names are random."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from courses.auth.models import User
from courses.extensions import db
from courses.scheduling import files


class CountingStream(io.RawIOBase):
    """A request body that counts how much of it the server read."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return True  # the test client measures the body with seek/tell (without reading it)

    def tell(self):
        return self.position

    def seek(self, offset, whence=0):
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"x" * n
        self.position += n
        self.read_bytes += n
        return n


# Views that read the form, and views that never read the body (refused all the same).
@pytest.mark.parametrize("method, path", [("POST", "/auth/register"), ("POST", "/auth/login"),
                                          ("GET", "/"), ("GET", "/healthz")])
def test_a_large_body_is_refused_before_it_is_read(make_app, method, path):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)  # 1 MB
    with app.app_context():
        body = CountingStream(20 * 1024 * 1024)  # 20 MB announced
        response = app.test_client().open(
            path, method=method, input_stream=body, content_length=body.size,
            content_type="multipart/form-data; boundary=x")
        assert response.status_code == 413
        assert "Tệp quá lớn" in response.get_data(as_text=True)
        assert body.read_bytes == 0


def test_the_default_limit_comes_from_max_upload_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def test_a_large_real_upload_changes_nothing(make_app):
    app = make_app(MAX_CONTENT_LENGTH=512 * 1024)
    with app.app_context():
        response = app.test_client().post("/auth/register", data={
            "full_name": "A", "email": "big@example.vn", "password": "Matkhau123",
            "password_confirm": "Matkhau123", "file": (io.BytesIO(b"%PDF-" + b"0" * 2 * 1024 * 1024), "big.pdf"),
        })
        assert response.status_code == 413
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_body_under_the_limit_is_served(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)
    with app.app_context():
        response = app.test_client().post("/auth/login", data={"email": "a@example.vn", "password": "x"})
        assert response.status_code == 200


def test_stored_names_are_random_and_never_the_clients():
    names = {files.new_stored_name() for _ in range(100)}
    assert len(names) == 100
    assert all(len(name) == 32 and name.isalnum() for name in names)


def test_stored_paths_stay_in_the_upload_folder(tmp_path):
    name = files.new_stored_name()
    assert files.stored_path(tmp_path, name) == tmp_path / name
    for bad in ("../x", "..", "a/b", "/etc/passwd", "", "..\\x", name + ".pdf"):
        with pytest.raises(ValueError):
            files.stored_path(tmp_path, bad)
