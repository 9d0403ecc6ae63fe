"""Accessibility checks in the browser: text contrast, labelled controls, landmarks, one h1."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from courses.enums import Role
from courses.extensions import db
from tests.browser.conftest import PHONE, playwright_expect
from tests.factories import PASSWORD, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser

# WCAG 2.1 contrast of every visible piece of text against the colours behind it.
LOW_CONTRAST_TEXT = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) {
      const c = layers[i];
      base = [0, 1, 2].map((k) => c[k] * c[3] + base[k] * (1 - c[3]));
    }
    return base;
  };
  const luminance = (rgb) => {
    const a = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable:not(:focus)") || el.disabled) continue;
    const bg = background(el);
    const fg = parse(style.color);
    const text = [0, 1, 2].map((k) => fg[k] * fg[3] + bg[k] * (1 - fg[3]));
    const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      bad.push(`${el.tagName.toLowerCase()}.${el.className} «${el.textContent.trim().slice(0, 40)}» ${ratio.toFixed(2)}:1`);
    }
  }
  return bad;
}"""

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => !["hidden", "submit", "button"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map((el) => el.id || el.name)"""


def check_page(page) -> None:
    assert page.evaluate(LOW_CONTRAST_TEXT) == []
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation").first).to_have_attribute("aria-label", "Điều hướng chính")


def test_public_pages_have_readable_contrast_labels_and_landmarks(live_server, browsing):
    from courses.demo import MODEL_COURSE_CODE, seed_demo
    from courses.scheduling.models import Course

    seed_demo(today=date(2022, 11, 1))
    course_id = db.session.scalar(select(Course.id).where(Course.code == MODEL_COURSE_CODE))
    for viewport in (None, PHONE):
        page = browsing.new_page(viewport=viewport) if viewport else browsing.new_page()
        for path in ("/", f"/courses/{course_id}", "/auth/login", "/auth/register", "/khong-co-trang-nay"):
            page.goto(live_server(path))
            check_page(page)
    # A form sent back with errors: the red messages are readable too.
    page.goto(live_server("/auth/register"))
    page.locator("main input[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check_page(page)


def test_staff_pages_have_readable_contrast_and_labels(live_server, browsing):
    from courses.demo import seed_demo

    seed_demo(today=date(2022, 11, 1))
    admin = make_user(role=Role.ADMIN, email="qt@example.vn")
    page = browsing.new_page()
    page.goto(live_server("/auth/login"))
    page.get_by_label("Email").fill(admin.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main input[type=submit]").click()
    for path in ("/admin/users", "/auth/password", "/dashboard/"):
        page.goto(live_server(path))
        check_page(page)
    # The dashboard's charts: one bar per topic of the demo course, figures in a table too.
    page.goto(live_server("/dashboard/"))
    expect(page.locator("#by-topic-caption + svg .chart-bar")).to_have_count(5)
    page.locator("figure[aria-labelledby=by-topic-caption] summary").click()
    expect(page.locator("figure[aria-labelledby=by-topic-caption] table tbody tr")).to_have_count(5)
    check_page(page)
    browsing.shot(page, "dashboard")
