"""E-mail addresses: one rule wherever one is typed (sign-up, the roster's «add by address», an
imported list).

Party offices run closed networks whose mail hosts are named under `.local`, `.internal`,
`.lan` or a bare intranet name (`dangbo@vanphong`). An address only has to be well formed: it
need not be deliverable on the public internet, and nothing here asks DNS.
"""
from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

MAX_LENGTH = 255
# email-validator refuses the names RFC 6761 reserves; `.local` (multicast DNS) is what the
# closed networks use, so it leaves the list. SPECIAL_USE_DOMAIN_NAMES is the library's
# documented switch for this; localhost, .test, .invalid, .onion and .arpa stay refused.
_CLOSED_NETWORK_NAMES = ("local",)
email_validator.SPECIAL_USE_DOMAIN_NAMES[:] = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in _CLOSED_NETWORK_NAMES]


def is_valid_address(text: str | None) -> bool:
    """Whether text is a well-formed address of at most 255 characters (no line breaks, so
    it can never smuggle a header into a mail)."""
    if not text or len(text) > MAX_LENGTH:
        return False
    try:
        validate_email(text, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError:
        return False
    return True


class EmailAddress:
    """The WTForms validator for is_valid_address (an empty field is DataRequired's business)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data and not is_valid_address(field.data.strip()):
            raise ValidationError(str(self.message))
