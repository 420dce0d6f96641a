"""The legacy staff gradebook page (``/courses/{course_id}/instructor/api/gradebook``) and ``gradebook_url``."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_flag

from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import CourseEnrollment
from instructor_plugin.backends.builtin.problem_state import CourseGrader
from tests.conftest import COURSE_ID, enroll, make_user
from tests.grading_fixtures import build_graded_course, give_state
from tests.test_grades_api import ROLES, _make_learners

pytestmark = pytest.mark.django_db
PAGE = f"/courses/{COURSE_ID}/instructor/api/gradebook"


@pytest.fixture
def graded(course):
    return build_graded_course(course)


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


def rows(html: str) -> list[list[str]]:
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]


def test_learners_with_their_grade_per_section_and_total(staff, graded, users, course_key):
    give_state(users["learner"], graded.q2, score=2.0)  # homework 3/4
    CourseGrader.for_course(course_key).save_grades(course_key, [users["learner"].pk])

    response = staff.get(PAGE)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"]
    table = rows(response.content.decode())
    assert table[0] == ["Username", "HW", "Lab 01", "Lab 02", "Lab Avg", "Total"]
    learner = next(row for row in table if "learner</span>" in row[0])
    assert learner[1:] == ["75", "0", "0", "0", "38"]
    assert "A &ge; 90%" in response.content.decode()


def test_output_is_escaped(staff, graded, course_key, course):
    course.display_name = "<script>alert(1)</script>"
    course.save()
    enroll(make_user('x"><b>y'), course_key)

    html = staff.get(PAGE).content.decode()

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'x"><b>y' not in html and "x&quot;&gt;&lt;b&gt;y" in html


def test_pages_of_twenty_by_username(staff, graded, course_key):
    _make_learners(course_key, graded, "page", 30)
    total = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()

    first = staff.get(PAGE).content.decode()
    second = staff.get(PAGE, {"offset": 20}).content.decode()

    assert len(rows(first)) == 21 and 'href="?offset=20"' in first and 'rel="prev"' not in first
    assert f"Page 2 of {-(-total // 20)}" in second and 'href="?offset=0"' in second
    names = [re.sub(r"<[^>]+>", "", row[0]) for row in rows(first)[1:]]
    assert names == sorted(names)


def test_the_original_offset_path(staff, graded, course_key):
    _make_learners(course_key, graded, "page", 30)

    by_path = staff.get(f"{PAGE}/20").content.decode()

    assert by_path == staff.get(PAGE, {"offset": 20}).content.decode()
    assert rows(by_path) != rows(staff.get(PAGE).content.decode())


@pytest.mark.parametrize("offset", ["-5", "abc", "99999", "9" * 5000])
def test_a_bad_offset_shows_the_first_page(staff, graded, offset):
    response = staff.get(PAGE, {"offset": offset})

    assert response.status_code == 200 and "Page 1 of 1" in response.content.decode()


STAFF_ONLY = (401, 403, 403, 403, 200, 200, 403, 200, 200)


@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_permission_matrix(client, users, graded, role_index):
    role = ROLES[role_index]
    if role != "anonymous":
        client.force_authenticate(users[role])

    assert client.get(PAGE).status_code == STAFF_ONLY[role_index]


def test_page_queries_do_not_grow(staff, graded, course_key):
    staff.get(PAGE)  # warm the caches
    counts = []
    for prefix, count in (("qsmall", 10), ("qlarge", 990)):
        _make_learners(course_key, graded, prefix, count)
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(PAGE, {"offset": 5}).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


class TestGradebookUrl:
    @pytest.fixture
    def metadata(self, api_v2_on, writable_gradebook_on, client, users):
        client.force_authenticate(users["instructor"])
        return lambda: client.get(f"/api/instructor/v2/courses/{COURSE_ID}").json()["gradebook_url"]

    def test_the_legacy_page_without_a_gradebook_mfe(self, metadata, settings, staff, graded):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_ROOT_URL": "http://lms.test/"}

        url = metadata()

        assert url == f"http://lms.test{PAGE}"
        assert staff.get(url.removeprefix("http://lms.test")).status_code == 200

    def test_the_gradebook_mfe_when_configured(self, metadata, settings):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "WRITABLE_GRADEBOOK_URL": "http://gb.test/gradebook/",
        }

        assert metadata() == f"http://gb.test/gradebook/{COURSE_ID}"

    @pytest.mark.parametrize("mfe_url", [None, "http://gb.test/gradebook"])
    def test_null_while_the_writable_gradebook_flag_is_off(self, api_v2_on, client, users, settings, mfe_url):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "WRITABLE_GRADEBOOK_URL": mfe_url}
        client.force_authenticate(users["instructor"])

        with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=False):
            body = client.get(f"/api/instructor/v2/courses/{COURSE_ID}").json()

        assert body["gradebook_url"] is None
