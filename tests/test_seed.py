"""``manage.py seed_demo_course``: the demo course, its team, its learners, and the v2 API turned on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from opaque_keys.edx.keys import CourseKey
from waffle.models import Flag

from instructor_plugin import toggles
from instructor_plugin.backends.builtin import seed as seed_module
from instructor_plugin.backends.builtin.models import (
    Block,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseGrade,
    CourseMode,
    ForumRole,
    ProblemState,
    SurveyAnswer,
    UserProfile,
)
from instructor_plugin.backends.builtin.seed import API_V2_FLAG_NAME, DEMO_COURSE_ID
from tests.conftest import enroll, grant, make_user

User = get_user_model()
DEMO_KEY = CourseKey.from_string(DEMO_COURSE_ID)
LEARNERS = 30
NAMED_USERS = 7

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo_course", stdout=out, **options)
    return out.getvalue()


def course_roles(username: str) -> set[str]:
    return set(CourseAccessRole.objects.filter(user__username=username).values_list("role", flat=True))


def table_counts() -> dict[str, int]:
    models = (User, UserProfile, Course, Block, CourseMode, CourseEnrollment, CourseEnrollmentAllowed)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["roles"] = CourseAccessRole.objects.count()
    counts["forum_roles"] = ForumRole.objects.count()
    return counts


def test_prints_a_summary_with_the_elapsed_time():
    output = seed(learners=LEARNERS)

    assert output.startswith(f"Seeded {DEMO_COURSE_ID}:")
    assert f"{LEARNERS} learners" in output
    assert output.rstrip().endswith(" s")


def test_builds_the_course_with_its_modes_and_outline():
    seed(learners=LEARNERS)

    course = Course.objects.get(course_key=DEMO_KEY)
    assert course.display_name == "Open edX Demo Course"
    assert course.start < course.end
    assert course.enable_timed_exams and course.enable_proctored_exams
    assert {grader["type"] for grader in course.grading_policy["GRADER"]} == {
        "Homework",
        "Lab",
        "Midterm Exam",
        "Final Exam",
    }
    assert set(course.modes.values_list("slug", flat=True)) == {"audit", "verified", "honor", "masters"}

    blocks = list(course.blocks.order_by("position"))
    assert blocks[0].block_type == "course"
    assert [block.position for block in blocks] == list(range(len(blocks)))
    assert sum(block.block_type == "chapter" for block in blocks) == 4
    assert sum(block.block_type == "openassessment" for block in blocks) == 2
    graded = [block for block in blocks if block.block_type == "sequential" and block.graded]
    assert all(block.due and block.assignment_type for block in graded)
    assert {"Midterm Exam", "Final Exam"} <= {block.assignment_type for block in graded}
    assert all(block.has_score for block in blocks if block.block_type == "problem")
    assert all(block.data.startswith("<problem ") for block in blocks if block.block_type == "problem")


@pytest.mark.parametrize(
    ("username", "roles"),
    [
        ("instructor", {"instructor"}),
        ("course_staff", {"staff"}),
        ("data_researcher", {"data_researcher"}),
        ("beta_tester", {"beta"}),
        ("discussion_admin", {"staff"}),
        ("staff", set()),
        ("outsider", set()),
    ],
)
def test_named_users_hold_their_course_roles(username, roles):
    seed(learners=LEARNERS)

    assert course_roles(username) == roles
    assert User.objects.get(username=username).email == f"{username}@example.com"


def test_global_staff_and_the_discussion_admin():
    seed(learners=LEARNERS)

    staff = User.objects.get(username="staff")
    assert staff.is_staff and staff.is_superuser
    assert list(ForumRole.objects.values_list("user__username", "role")) == [("discussion_admin", "Administrator")]


def test_the_outsider_has_no_role_and_no_enrollment():
    seed(learners=LEARNERS)

    outsider = User.objects.get(username="outsider")
    assert not outsider.is_staff
    assert not CourseAccessRole.objects.filter(user=outsider).exists()
    assert not ForumRole.objects.filter(user=outsider).exists()
    assert not CourseEnrollment.objects.filter(user=outsider).exists()


def test_learners_have_profiles_and_enrollments_in_every_mode():
    seed(learners=LEARNERS)

    learners = User.objects.filter(username__startswith="learner")
    assert learners.count() == LEARNERS
    assert UserProfile.objects.filter(user__in=learners).count() == LEARNERS
    assert UserProfile.objects.get(user__username="learner7").name == "Learner 7"
    assert set(UserProfile.objects.values_list("language", flat=True)) == {"en", "es", "fr"}

    enrollments = CourseEnrollment.objects.filter(course_key=DEMO_KEY, is_active=True)
    assert enrollments.filter(user__in=learners).count() == LEARNERS
    assert enrollments.count() == LEARNERS + 1  # and the beta tester
    assert set(enrollments.values_list("mode", flat=True)) == {"audit", "verified", "honor", "masters"}


def test_invites_emails_without_an_account():
    seed(learners=LEARNERS)

    emails = set(CourseEnrollmentAllowed.objects.filter(course_key=DEMO_KEY).values_list("email", flat=True))
    assert emails
    assert not User.objects.filter(email__in=emails).exists()


@pytest.mark.parametrize("username", ["staff", "instructor", "outsider", "learner1", f"learner{LEARNERS}"])
def test_every_account_signs_in_with_edx(username):
    seed(learners=LEARNERS)

    assert User.objects.get(username=username).check_password("edx")


def test_turns_the_v2_api_on():
    seed(learners=LEARNERS)

    assert Flag.objects.get(name=API_V2_FLAG_NAME).everyone is True
    assert toggles.is_api_v2_enabled()


def test_the_first_learners_answered_the_survey_once_each_reseed():
    seed(learners=LEARNERS)
    seed(learners=LEARNERS)

    answers = SurveyAnswer.objects.filter(course_key=DEMO_KEY)
    assert answers.count() == 10
    assert set(answers.values_list("field_name", flat=True)) == {"goal", "experience"}
    assert answers.get(user__username="learner1", field_name="goal").field_value == "Curiosity"


def test_reseeding_is_idempotent():
    seed(learners=LEARNERS)
    first = table_counts()

    seed(learners=LEARNERS)

    assert table_counts() == first
    assert first["User"] == NAMED_USERS + LEARNERS
    assert first["UserProfile"] == NAMED_USERS + LEARNERS


def test_reseeding_resets_the_demo_accounts():
    seed(learners=LEARNERS)
    learner = User.objects.get(username="learner3")
    learner.set_password("changed")
    learner.is_active = False
    learner.save()
    CourseEnrollment.objects.filter(user=learner).update(is_active=False)

    seed(learners=LEARNERS)

    learner.refresh_from_db()
    assert learner.is_active and learner.check_password("edx")
    assert CourseEnrollment.objects.get(user=learner, course_key=DEMO_KEY).is_active


def test_reseeding_leaves_other_courses_alone(course, course_key):
    seed(learners=LEARNERS)
    learner = User.objects.get(username="learner1")
    enroll(learner, course_key)
    grant(learner, course_key, "beta")
    someone = make_user("someone")

    seed(learners=LEARNERS)

    assert Course.objects.filter(course_key=course_key).exists()
    assert CourseEnrollment.objects.filter(user=learner, course_key=course_key).exists()
    assert course_roles("learner1") == {"beta"}
    assert User.objects.filter(pk=someone.pk).exists()


def test_seeds_another_course_id():
    other = CourseKey.from_string("course-v1:OpenedX+Other+Run")

    seed(learners=3, course_id=str(other))

    assert CourseEnrollment.objects.filter(course_key=other).count() == 3 + 1
    assert not Course.objects.filter(course_key=DEMO_KEY).exists()


@pytest.mark.parametrize("options", [{"course_id": "not a course id"}, {"learners": -1}])
def test_rejects_bad_options(options):
    with pytest.raises(CommandError):
        seed(**options)


def test_learners_hold_problem_state_and_course_grades(monkeypatch):
    monkeypatch.setattr(seed_module, "FULL_STATE_LEARNERS", 5)
    seed(learners=LEARNERS)

    problems = Block.objects.filter(course__course_key=DEMO_KEY, block_type="problem").count()
    states = ProblemState.objects.filter(course_key=DEMO_KEY)
    assert problems == 18
    assert states.count() == 5 * problems + (LEARNERS - 5) * seed_module.FEW_PROBLEMS
    first = User.objects.get(username="learner1")
    assert states.filter(user=first).count() == problems
    assert states.filter(user__username="learner30").count() == seed_module.FEW_PROBLEMS
    assert all(state.max_score == 2.0 and state.state["correct_map"] for state in states.filter(user=first))
    assert CourseGrade.objects.filter(course_key=DEMO_KEY).count() == LEARNERS
    assert CourseGrade.objects.get(user=first).percent > 0
    assert {grade.letter_grade for grade in CourseGrade.objects.all()} - {""}


def test_reseeding_replaces_problem_state():
    seed(learners=LEARNERS)
    seed(learners=10)

    assert CourseGrade.objects.filter(course_key=DEMO_KEY).count() == 10
    assert ProblemState.objects.filter(course_key=DEMO_KEY).values("user").distinct().count() == 10


def test_analyses_what_it_wrote():
    seed(learners=LEARNERS)

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [CourseEnrollment._meta.db_table])
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = %s AND last_analyze IS NOT NULL",
                [CourseEnrollment._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM information_schema.statistics WHERE table_name = %s AND cardinality > 0",
                [CourseEnrollment._meta.db_table],
            )
        (analysed,) = cursor.fetchone()
    assert analysed > 0
