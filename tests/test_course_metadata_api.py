"""GET /api/instructor/v2/courses/{course_id}: the course metadata every MFE page reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from edx_toggles.toggles.testutils import override_waffle_flag
from opaque_keys.edx.keys import CourseKey

from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import Block, Course, CourseMode
from tests.conftest import COURSE_ID, enroll, grant, make_user, v2

MFE_TAB_PREFIX = f"/instructor-dashboard/{COURSE_ID}"
STAFF_TABS = ["course_info", "enrollments", "grading", "cohorts"]


@pytest.fixture
def configure(settings):
    """Override keys of ``INSTRUCTOR_PLUGIN`` for one test."""

    def apply(**values):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, **values}

    return apply


@pytest.fixture
def metadata(api_v2_on, client):
    """GET the course metadata as ``user`` and return the body of a 200."""

    def fetch(user, course_id: str = COURSE_ID) -> dict:
        client.force_authenticate(user)
        response = client.get(v2(course_id))
        assert response.status_code == 200, response.content
        return response.json()

    return fetch


def tab_ids(body: dict) -> list[str]:
    return [tab["tab_id"] for tab in body["tabs"]]


def add_block(course: Course, block_type: str, name: str, *, attached: bool = True, **fields) -> Block:
    root = Block.objects.get(course=course, block_type="course")
    return Block.objects.create(
        course=course,
        usage_key=course.course_key.make_usage_key(block_type, name),
        block_type=block_type,
        display_name=name,
        parent=root if attached else None,
        position=Block.objects.filter(course=course).count(),
        **fields,
    )


class TestIdentityAndDates:
    def test_identity_fields(self, metadata, users):
        body = metadata(users["instructor"])

        assert body["course_id"] == COURSE_ID
        assert body["display_name"] == "Test Course"
        assert body["org"] == "TestX"
        assert body["course_number"] == "T101"
        assert body["course_run"] == "2026"
        assert body["username"] == "instructor"
        assert body["pacing"] == "instructor"

    def test_dates_are_iso_strings_in_utc(self, metadata, users, course):
        course.start = datetime(2020, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        course.end = datetime(2099, 6, 30, 23, 59, tzinfo=UTC)
        course.enrollment_start = datetime(2020, 1, 1, tzinfo=UTC)
        course.save()

        body = metadata(users["course_staff"])

        assert body["start"] == "2020-03-01T10:00:00Z"
        assert body["end"] == "2099-06-30T23:59:00Z"
        assert body["enrollment_start"] == "2020-01-01T00:00:00Z"
        assert body["enrollment_end"] is None
        assert body["has_started"] is True
        assert body["has_ended"] is False

    def test_course_not_started(self, metadata, users, course):
        course.start = datetime(2099, 1, 1, tzinfo=UTC)
        course.save()

        body = metadata(users["course_staff"])

        assert body["has_started"] is False
        assert body["has_ended"] is False

    def test_course_ended(self, metadata, users, course):
        course.start = datetime(2019, 1, 1, tzinfo=UTC)
        course.end = datetime(2020, 1, 1, tzinfo=UTC)
        course.save()

        body = metadata(users["course_staff"])

        assert body["has_started"] is True
        assert body["has_ended"] is True

    def test_self_paced(self, metadata, users, course):
        course.self_paced = True
        course.save()

        assert metadata(users["course_staff"])["pacing"] == "self"

    def test_old_style_course_id(self, metadata, db):
        old_key = CourseKey.from_string("TestX/T101/2026")
        Course.objects.create(course_key=old_key, display_name="Old Course")
        staff = make_user("old_staff")
        grant(staff, old_key, "staff")

        body = metadata(staff, "TestX/T101/2026")

        assert body["course_id"] == "TestX/T101/2026"
        assert (body["org"], body["course_number"], body["course_run"]) == ("TestX", "T101", "2026")
        assert body["display_name"] == "Old Course"
        assert body["tabs"][0]["url"] == "/instructor-dashboard/TestX/T101/2026/course_info"


class TestCounts:
    def test_configured_modes_are_listed_with_zero(self, metadata, course, course_key):
        staff = make_user("solo_staff")
        grant(staff, course_key, "staff")

        body = metadata(staff)

        assert body["enrollment_counts"] == {"audit": 0, "verified": 0, "total": 0}
        assert (body["total_enrollment"], body["learner_count"], body["staff_count"]) == (0, 0, 0)

    def test_counts_per_mode_learners_and_staff(self, metadata, users, course_key):
        enroll(users["course_staff"], course_key)
        enroll(users["instructor"], course_key, mode="verified")
        enroll(users["data_researcher"], course_key, mode="honor")
        enroll(users["outsider"], course_key, mode="verified", is_active=False)

        body = metadata(users["instructor"])

        # learner, beta_tester and course_staff audit; instructor verified; an unconfigured mode with enrollees.
        assert body["enrollment_counts"] == {"audit": 3, "verified": 1, "honor": 1, "total": 5}
        assert body["total_enrollment"] == 5
        # Staff and instructor enrollees are not learners; beta testers and data researchers are.
        assert body["learner_count"] == 3
        assert body["staff_count"] == 2

    def test_modes_without_learners_keep_their_order(self, metadata, users, course):
        CourseMode.objects.create(course=course, slug="professional", display_name="Professional")

        counts = metadata(users["course_staff"])["enrollment_counts"]

        assert list(counts) == ["audit", "verified", "professional", "total"]

    def test_disable_buttons_above_the_threshold(self, metadata, users, configure):
        assert metadata(users["course_staff"])["disable_buttons"] is False

        configure(MAX_ENROLLMENT_INSTR_BUTTONS=1)

        assert metadata(users["course_staff"])["disable_buttons"] is True

    def test_disable_buttons_with_the_bounded_count(self, metadata, users, configure):
        with override_waffle_flag(toggles._OPTIMISED_IS_SMALL_COURSE_FLAG, active=True):
            configure(MAX_ENROLLMENT_INSTR_BUTTONS=2)
            assert metadata(users["course_staff"])["disable_buttons"] is False
            configure(MAX_ENROLLMENT_INSTR_BUTTONS=1)
            assert metadata(users["course_staff"])["disable_buttons"] is True

    def test_num_sections_counts_the_root_children_only(self, metadata, users, course):
        week1 = Block.objects.get(course=course, block_type="chapter")
        add_block(course, "chapter", "week2")
        add_block(course, "chapter", "orphan", attached=False)
        Block.objects.create(
            course=course,
            usage_key=course.course_key.make_usage_key("sequential", "seq1"),
            block_type="sequential",
            parent=week1,
            position=10,
        )

        assert metadata(users["course_staff"])["num_sections"] == 2


class TestSettingsOfTheCourse:
    def test_grade_cutoffs_in_descending_order(self, metadata, users, course):
        course.grading_policy = {"GRADER": [], "GRADE_CUTOFFS": {"B": 0.8, "C": 0.7, "A": 0.9}}
        course.save()

        assert metadata(users["course_staff"])["grade_cutoffs"] == "A is 0.9, B is 0.8, C is 0.7"

    def test_no_grade_cutoffs(self, metadata, users):
        assert metadata(users["course_staff"])["grade_cutoffs"] == ""

    @pytest.mark.parametrize("enabled", [True, False])
    def test_certificates_enabled(self, metadata, users, course, enabled):
        course.certificate_generation_enabled = enabled
        course.save()

        assert metadata(users["course_staff"])["certificates_enabled"] is enabled

    def test_links_from_settings(self, metadata, writable_gradebook_on, users, configure):
        configure(
            ADMIN_CONSOLE_MICROFRONTEND_URL="http://admin.test/",
            WRITABLE_GRADEBOOK_URL="http://gradebook.test",
            COURSE_AUTHORING_MICROFRONTEND_URL="http://authoring.test",
            STUDIO_URL="http://studio.test",
        )

        body = metadata(users["instructor"])

        assert body["admin_console_url"] == "http://admin.test/authz"
        assert body["gradebook_url"] == f"http://gradebook.test/{COURSE_ID}"
        assert body["studio_grading_url"] == f"http://authoring.test/course/{COURSE_ID}/settings/grading"
        assert body["studio_url"] == f"http://studio.test/course/{COURSE_ID}"

    def test_admin_console_only_for_instructors(self, metadata, users, configure):
        configure(ADMIN_CONSOLE_MICROFRONTEND_URL="http://admin.test")

        assert metadata(users["course_staff"])["admin_console_url"] is None
        assert metadata(users["global_staff"])["admin_console_url"] == "http://admin.test/authz"

    def test_unconfigured_links_are_null(self, metadata, writable_gradebook_on, users):
        body = metadata(users["instructor"])

        for link in ("admin_console_url", "studio_grading_url", "studio_url"):
            assert body[link] is None, link
        assert body["gradebook_url"].endswith(f"/courses/{COURSE_ID}/instructor/api/gradebook")  # the legacy page

    def test_analytics_dashboard_message(self, metadata, users, configure):
        assert metadata(users["course_staff"])["analytics_dashboard_message"] == ""

        configure(ANALYTICS_DASHBOARD_URL="http://insights.test/", ANALYTICS_DASHBOARD_NAME="Insights")
        message = metadata(users["course_staff"])["analytics_dashboard_message"]

        assert "Insights" in message
        assert f"http://insights.test/courses/{COURSE_ID}" in message


ALL_FALSE = dict.fromkeys(("admin", "instructor", "staff", "ccx_coach", "forum_admin", "data_researcher"), False)


class TestPermissions:
    @pytest.mark.parametrize(
        ("role", "granted"),
        [
            ("global_staff", {"admin", "data_researcher"}),
            ("instructor", {"instructor"}),
            ("course_staff", {"staff"}),
            ("discussion_admin", {"staff", "forum_admin"}),
            ("data_researcher", {"data_researcher"}),
        ],
    )
    def test_flags_per_role(self, metadata, users, role, granted):
        body = metadata(users[role])

        assert body["permissions"] == {**ALL_FALSE, **dict.fromkeys(granted, True)}
        assert body["username"] == role

    def test_ccx_coach_flag(self, metadata, users, course_key):
        coach = make_user("coach")
        grant(coach, course_key, "staff")
        grant(coach, course_key, "ccx_coach")

        assert metadata(coach)["permissions"] == {**ALL_FALSE, "staff": True, "ccx_coach": True}

    def test_org_instructor_is_no_course_instructor(self, metadata, course_key, course):
        org_instructor = make_user("org_instructor")
        grant(org_instructor, course_key, "instructor", org_level=True)

        body = metadata(org_instructor)

        assert body["permissions"] == ALL_FALSE
        assert "course_team" in tab_ids(body)

    @pytest.mark.parametrize("role", ["outsider", "learner", "beta_tester"])
    def test_no_dashboard_access(self, api_v2_on, client, users, role):
        client.force_authenticate(users[role])

        response = client.get(v2())

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_denied"

    def test_anonymous(self, api_v2_on, client, course):
        response = client.get(v2())

        assert response.status_code == 401
        assert response.json()["error"]

    @pytest.mark.parametrize("course_id", ["course-v1:TestX+Nope+2026", "course-v1:bad key+x+y"])
    def test_unknown_course(self, api_v2_on, client, users, course_id):
        client.force_authenticate(users["global_staff"])

        response = client.get(v2(course_id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    def test_api_flag_off(self, client, users):
        client.force_authenticate(users["global_staff"])

        assert client.get(v2()).status_code == 404


class TestTabs:
    @pytest.fixture(autouse=True)
    def _certificates_not_instructor_managed(self, configure):
        configure(ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE=False)

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("course_staff", STAFF_TABS),
            ("instructor", ["course_info", "enrollments", "course_team", "grading", "cohorts"]),
            ("discussion_admin", ["course_info", "enrollments", "course_team", "grading", "cohorts"]),
            ("data_researcher", ["data_downloads"]),
        ],
    )
    def test_tabs_per_role(self, metadata, users, role, expected):
        assert tab_ids(metadata(users[role])) == expected

    def test_tab_shape(self, metadata, users):
        tabs = metadata(users["instructor"])["tabs"]

        assert tabs == [
            {"tab_id": tab_id, "title": title, "url": f"{MFE_TAB_PREFIX}/{tab_id}", "sort_order": order}
            for tab_id, title, order in [
                ("course_info", "Course Info", 10),
                ("enrollments", "Enrollments", 20),
                ("course_team", "Course Team", 30),
                ("grading", "Grading", 40),
                ("cohorts", "Cohorts", 90),
            ]
        ]

    def test_date_extensions_for_instructors_when_a_block_is_due(self, metadata, users, course):
        assert "date_extensions" not in tab_ids(metadata(users["instructor"]))

        add_block(course, "sequential", "hw1", due=datetime(2030, 1, 1, tzinfo=UTC))

        assert "date_extensions" in tab_ids(metadata(users["instructor"]))
        assert "date_extensions" not in tab_ids(metadata(users["course_staff"]))

    def test_open_responses_when_an_attached_assessment_exists(self, metadata, users, course):
        add_block(course, "openassessment", "orphan_ora", attached=False)
        assert "open_responses" not in tab_ids(metadata(users["course_staff"]))

        add_block(course, "openassessment", "ora1")

        tabs = {tab["tab_id"]: tab for tab in metadata(users["course_staff"])["tabs"]}
        assert tabs["open_responses"] == {
            "tab_id": "open_responses",
            "title": "Open Responses",
            "url": f"{MFE_TAB_PREFIX}/open_responses",
            "sort_order": 70,
        }

    @pytest.mark.parametrize("exam_setting", ["enable_timed_exams", "enable_proctored_exams"])
    def test_special_exams_on_under_the_test_settings_hook(self, metadata, users, course, exam_setting):
        assert "special_exams" not in tab_ids(metadata(users["course_staff"]))
        setattr(course, exam_setting, True)
        course.save()

        tabs = metadata(users["course_staff"])["tabs"]

        assert tabs[-1] == {
            "tab_id": "special_exams",
            "title": "Special Exams",
            "url": f"{MFE_TAB_PREFIX}/special_exams",
            "sort_order": 110,
        }

    def test_special_exams_need_the_feature(self, metadata, users, course, configure):
        configure(ENABLE_SPECIAL_EXAMS=False)
        course.enable_timed_exams = True
        course.save()

        assert "special_exams" not in tab_ids(metadata(users["course_staff"]))

    def test_certificates_when_instructors_manage_them(self, metadata, users, configure):
        configure(ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE=True)

        assert "certificates" in tab_ids(metadata(users["instructor"]))
        assert "certificates" not in tab_ids(metadata(users["course_staff"]))

    def test_certificates_for_global_staff(self, metadata, users):
        assert tab_ids(metadata(users["global_staff"])) == [
            "course_info",
            "enrollments",
            "course_team",
            "grading",
            "data_downloads",
            "certificates",
            "cohorts",
        ]

    def test_data_downloads_for_staff_with_the_v2_flag(self, metadata, users):
        with override_waffle_flag(toggles._DATA_DOWNLOAD_V2_FLAG, active=True):
            assert "data_downloads" in tab_ids(metadata(users["course_staff"]))

    def test_bulk_email_points_at_the_communications_mfe(self, metadata, users, configure):
        configure(COMMUNICATIONS_MICROFRONTEND_URL="http://comms.test/")

        tabs = {tab["tab_id"]: tab for tab in metadata(users["course_staff"])["tabs"]}

        assert tabs["bulk_email"]["url"] == f"http://comms.test/courses/{COURSE_ID}/bulk_email"
        assert tabs["bulk_email"]["sort_order"] == 100

    def test_legacy_dashboard_links(self, metadata, users):
        with override_waffle_flag(toggles._LEGACY_INSTRUCTOR_DASHBOARD_FLAG, active=True):
            tabs = metadata(users["course_staff"])["tabs"]

        assert tabs[0]["url"] == f"http://lms.test/courses/{COURSE_ID}/instructor#view-course_info"
