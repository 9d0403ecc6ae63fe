"""Spreadsheet cells never carry a formula from user input."""
import pytest

from courses.exports import safe_cell


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_neutralized(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Nguyễn Văn A", "", None, 42, -3, "a=b"])
def test_other_values_are_unchanged(value):
    assert safe_cell(value) == value
