"""Service tests run inside a request context: messages are translated for the page's language."""
import pytest


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context("/"):
        yield
