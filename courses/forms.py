"""The base form every form extends, and shared field helpers."""
from __future__ import annotations

import re
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import ValidationError

from courses.actions import run_service

# WTForms ships no Vietnamese catalogue: its built-in messages, in our words.
WTFORMS_VI = {
    "This field is required.": "Trường này là bắt buộc.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid choice": "Lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "Lựa chọn «%(value)s» không hợp lệ.",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
    "Not a valid date value.": "Ngày không hợp lệ (dạng ngày/tháng/năm).",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
    "Not a valid time value.": "Giờ không hợp lệ (dạng giờ:phút).",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Invalid URL.": "Địa chỉ liên kết không hợp lệ.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Giá trị phải trùng với trường %(other_name)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Cần đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Cần đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Số phải lớn hơn hoặc bằng %(min)s.",
    "Number must be at most %(max)s.": "Số phải nhỏ hơn hoặc bằng %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải trong khoảng %(min)s đến %(max)s.",
    "The CSRF token is missing.": "Biểu mẫu thiếu mã bảo vệ. Vui lòng tải lại trang và gửi lại.",
    "The CSRF token has expired.": "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và gửi lại.",
    "The CSRF tokens do not match.": "Biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.",
    "The CSRF session token is missing.": "Phiên làm việc đã hết hạn. Vui lòng tải lại trang và gửi lại.",
    "Invalid CSRF Token.": "Biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.",
    "CSRF failed.": "Biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.",
    "File is required.": "Vui lòng chọn tệp.",
}


class WTFormsTranslations:
    """Translates WTForms' own messages into the page's language (Vietnamese or English)."""

    def _vietnamese(self) -> bool:
        from flask_babel import get_locale

        try:
            return str(get_locale() or "vi") == "vi"
        except RuntimeError:  # no request: command line or plain service code
            return True

    def gettext(self, string: str) -> str:
        return WTFORMS_VI.get(string, string) if self._vietnamese() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


# C0 control characters other than tab, line feed and carriage return, and DEL. Nobody types
# them; PostgreSQL refuses NUL in text outright, and the others corrupt exports and PDFs.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BaseForm(FlaskForm):
    """A CSRF-protected form; refuses control characters and strips white space around text."""

    class Meta:
        def get_translations(self, form):
            return WTFormsTranslations()

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if issubclass(unbound_field.field_class, IntegerField):
                filters.append(refuse_oversized_integer)
            if issubclass(unbound_field.field_class, StringField):  # text, email, hidden, password…
                filters.append(refuse_control_characters)
                if not issubclass(unbound_field.field_class, PasswordField):  # a password keeps its spaces
                    filters.append(strip_text)
            return unbound_field.bind(form=form, filters=filters, **options)

    def call_service(self, action: Callable[[], Any]) -> bool:
        """Validate the posted form, then run action (a service call); True when both succeed.

        The service's return value is kept in `self.result`. A DomainError is rolled back
        before it is shown beside its field, so nothing the service changed before refusing
        can be flushed while the page is drawn again with the user's input.
        """
        if not self.validate_on_submit():
            return False
        outcome = run_service(action)
        if not outcome.ok:
            self.add_domain_error(outcome.error)
            return False
        self.result = outcome.result
        return True

    def flash_errors(self) -> None:
        """Flash every field's errors, for a form posted from a page that does not show it again."""
        from flask import flash

        for errors in self.errors.values():
            for message in errors:
                flash(message, "danger")

    def add_domain_error(self, error) -> None:
        """Show a service's DomainError beside its field, or above the form."""
        field = getattr(self, error.field, None) if getattr(error, "field", None) else None
        if field is not None:
            field.errors = list(field.errors) + [error.message]
        else:
            self.form_errors.append(error.message)


def control_characters_message() -> str:
    return str(_l("Nội dung chứa ký tự điều khiển không hợp lệ; vui lòng nhập lại."))


def refuse_control_characters(value):
    """A field filter: a ValueError here becomes the field's error message, and the form is invalid."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValueError(control_characters_message())
    return value


def refuse_oversized_integer(value):
    """A field filter: a number beyond a database INTEGER column is invalid, with a message."""
    from courses.routing import MAX_ID

    if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
        raise ValueError(str(_l("Số quá lớn.")))
    return value


def strip_text(value):
    """Trim white space around text; keep None as it is."""
    return value.strip() if isinstance(value, str) else value


def is_strong_password(value: str) -> bool:
    """At least 8 characters, with a letter and a digit (0-9: «²».isdigit() is true too)."""
    return len(value) >= 8 and any(c.isalpha() for c in value) and any("0" <= c <= "9" for c in value)


def password_strength(form, field) -> None:
    """Form validator for is_strong_password."""
    if not is_strong_password(field.data or ""):
        raise ValidationError(_l("Mật khẩu cần ít nhất 8 ký tự, gồm cả chữ và số."))
