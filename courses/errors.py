"""Error pages in Vietnamese, in the site's layout; a rollback and a logged request id on 500."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from courses.extensions import db

MESSAGES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Yêu cầu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.")),
    403: (_l("Không có quyền truy cập"), _l("Tài khoản của bạn không có quyền xem trang này.")),
    404: (_l("Không tìm thấy trang"), _l("Trang bạn tìm không tồn tại hoặc đã bị xóa.")),
    405: (_l("Thao tác không được phép"), _l("Trang này không nhận thao tác bạn vừa gửi.")),
    413: (_l("Tệp quá lớn"), _l("Tệp gửi lên vượt quá dung lượng cho phép.")),
    429: (_l("Quá nhiều yêu cầu"), _l("Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.")),
    500: (_l("Lỗi hệ thống"), _l("Đã có lỗi xảy ra. Dữ liệu của bạn không bị thay đổi; vui lòng thử lại sau.")),
    503: (_l("Tạm thời không phục vụ được"), _l("Chức năng này tạm thời không dùng được. Vui lòng thử lại sau.")),
}

# Used when even the error page cannot be drawn (say the database is down while the
# layout reads the user): plain HTML, no template, no database.
FALLBACK_500 = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi hệ thống</title>'
    "<h1>Lỗi hệ thống</h1><p>Đã có lỗi xảy ra. Vui lòng thử lại sau.</p>"
    "<p>Mã yêu cầu: {request_id}</p></html>"
)


def render_error(code: int, message: str | None = None):
    """The error page for an HTTP status code, with an optional specific message."""
    from courses.security.requestlog import get_request_id

    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message,
        request_id=get_request_id(),
    ), code


def register(app: Flask) -> None:
    """Install the handlers on app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(_l("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 500:
            db.session.rollback()
        if error.code not in MESSAGES:
            return error
        page, code = render_error(error.code)
        response = app.make_response((page, code))
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        from courses.security.requestlog import get_request_id
        from courses.sql_dialect import is_database_busy

        db.session.rollback()
        if is_database_busy(error):
            # Another write held the lock past the wait: nothing of this request was kept.
            app.logger.warning("database busy: %s", error.orig)
            page, code = render_error(503, str(_l("Hệ thống đang bận ghi dữ liệu khác nên chưa lưu được thay đổi của "
                                                  "bạn. Vui lòng thử lại sau ít giây.")))
            return page, code, {"Retry-After": "5"}
        if app.debug:
            raise error  # keep the interactive debugger in development
        app.logger.exception("unhandled error")  # the record carries request_id and user_id
        try:
            return render_error(500)
        except Exception:  # the page itself failed: answer without templates
            app.logger.exception("the error page failed too")
            return FALLBACK_500.format(request_id=escape(get_request_id() or "-")), 500
