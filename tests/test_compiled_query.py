"""Querysets compiled once and run with other values: the course of every request, learner counts, grading."""

from datetime import UTC, datetime

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.compiled import CompiledQuery
from instructor_plugin.backends.builtin.courses import BuiltinCourseService
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import Block, Course
from instructor_plugin.backends.builtin.problem_state import CourseGrader
from instructor_plugin.backends.exceptions import CourseNotFound
from tests.conftest import enroll, make_user
from tests.grading_fixtures import POLICY, add_block, build_graded_course

pytestmark = pytest.mark.django_db

OTHER = CourseKey.from_string("course-v1:OtherX+O202+2027")


def test_each_course_id_reads_its_own_course_after_the_query_is_compiled(course, course_key):
    Course.objects.create(
        course_key=OTHER,
        display_name="Other Course",
        start=datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC),
        self_paced=True,
        grading_policy={"GRADE_CUTOFFS": {"Pass": 0.6}},
    )
    service = BuiltinCourseService()

    first = service.get_course(course_key)
    other = service.get_course(OTHER)
    again = service.get_course(course_key)

    assert (first.course_key, first.display_name, first.self_paced) == (course_key, "Test Course", False)
    assert (other.course_key, other.display_name, other.self_paced) == (OTHER, "Other Course", True)
    assert other.start == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert other.grade_cutoffs == {"Pass": 0.6}
    assert again == first
    with pytest.raises(CourseNotFound):
        service.get_course(CourseKey.from_string("course-v1:NoneX+N1+2026"))


def test_compiled_rows_are_the_instances_the_orm_reads(course, course_key):
    query = CompiledQuery(lambda key: Course.objects.filter(course_key=key), ["course-v1:a+b+c"], ["course-v1:d+e+f"])

    (compiled,) = query.instances(Course, str(course_key))

    read = Course.objects.get(course_key=course_key)
    assert {name: getattr(compiled, name) for name in vars(read) if name != "_state"} == {
        name: value for name, value in vars(read).items() if name != "_state"
    }
    assert query.instances(Course, "course-v1:none+none+none") == []


def test_a_parameter_the_orm_changed_is_refused(course, course_key):
    """``icontains`` compiles ``%value%``: neither the value nor a constant, so no run reuses a sample's."""
    query = CompiledQuery(lambda name: Course.objects.filter(display_name__icontains=name), ["abc"], ["def"])

    with pytest.raises(ValueError, match="neither a value nor a constant"):
        query.rows("Test")


def test_constants_stay_and_values_follow_their_position(course, course_key):
    other = Course.objects.create(course_key=OTHER, display_name="Other Course", self_paced=True)
    query = CompiledQuery(
        lambda key, name: Course.objects.filter(course_key=key, display_name=name, self_paced=True).values_list("pk"),
        ["course-v1:a+b+c", "a"],
        ["course-v1:d+e+f", "b"],
    )

    assert query.rows(str(OTHER), "Other Course") == [[other.pk]]
    assert query.rows(str(course_key), "Test Course") == []  # not self-paced
    with pytest.raises(ValueError, match="differ in every position"):
        CompiledQuery(lambda key: Course.objects.filter(course_key=key), ["course-v1:a+b+c"], ["course-v1:a+b+c"])


def test_a_window_reads_the_rows_the_sliced_queryset_reads(course, course_key):
    for number in range(5):
        Course.objects.create(course_key=f"course-v1:X+N{number}+2026", display_name="Window")
    query = CompiledQuery(
        lambda name: Course.objects.filter(display_name=name).order_by("course_key").values_list("course_key"),
        ["a"],
        ["b"],
    )
    ordered = [
        [key]
        for key in Course.objects.filter(display_name="Window")
        .order_by("course_key")
        .values_list("course_key", flat=True)
    ]

    assert query.rows("Window", window=slice(0, 2)) == ordered[0:2]
    assert query.rows("Window", window=slice(1, 4)) == ordered[1:4]
    assert query.rows("Window", window=slice(5, 7)) == []
    assert query.rows("Window") == ordered


def test_each_course_counts_its_own_learners_after_the_query_is_compiled(course, course_key, users):
    Course.objects.create(course_key=OTHER, display_name="Other Course")
    service = BuiltinEnrollmentService()
    for number in range(3):
        enroll(make_user(f"other{number}"), OTHER)

    counted = service.count_learners(course_key)

    assert service.count_learners(OTHER) == 3
    assert service.count_learners(course_key) == counted
    assert service.count_learners(CourseKey.from_string("course-v1:NoneX+N1+2026")) == 0


def test_each_course_is_graded_from_its_own_blocks_after_the_query_is_compiled(course, course_key):
    graded = build_graded_course(course)
    other = Course.objects.create(course_key=OTHER, display_name="Other Course", grading_policy=POLICY)
    root = Block.objects.create(
        course=other, usage_key=other.course_key.make_usage_key("course", "course"), block_type="course"
    )
    exam = add_block(other, root, "sequential", "exam", "Exam", graded=True, assignment_type="Final Exam")
    add_block(other, exam, "problem", "exam_q", "Exam question", graded=True, has_score=True, weight=2.0)

    first = CourseGrader.for_course(course_key)
    second = CourseGrader.for_course(OTHER)

    assert set(first.subsection_pks) == {str(graded.homework.usage_key), str(graded.lab_problem.parent.usage_key)}
    assert first.possible == {graded.homework.pk: 4.0, graded.lab_problem.parent_id: 1.0}
    assert second.subsection_pks == {str(exam.usage_key): exam.pk}
    assert second.possible == {exam.pk: 2.0}
    assert CourseGrader.for_course(course_key).subsection_pks == first.subsection_pks
    with pytest.raises(CourseNotFound):
        CourseGrader.for_course(CourseKey.from_string("course-v1:NoneX+N1+2026"))
