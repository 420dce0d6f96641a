"""Querysets compiled once and run with other parameters: the course read of every request."""

from datetime import UTC, datetime

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.compiled import CompiledQuery
from instructor_plugin.backends.builtin.courses import BuiltinCourseService
from instructor_plugin.backends.builtin.models import Course
from instructor_plugin.backends.exceptions import CourseNotFound

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
    query = CompiledQuery(Course, lambda key: Course.objects.filter(course_key=key), "course-v1:a+b+c")

    (compiled,) = query(str(course_key))

    read = Course.objects.get(course_key=course_key)
    assert {name: getattr(compiled, name) for name in vars(read) if name != "_state"} == {
        name: value for name, value in vars(read).items() if name != "_state"
    }
    assert query("course-v1:none+none+none") == []


def test_a_query_whose_parameters_are_not_the_samples_is_refused(course, course_key):
    query = CompiledQuery(
        Course, lambda key: Course.objects.filter(course_key=key, display_name="x"), "course-v1:a+b+c"
    )

    with pytest.raises(ValueError, match="not the samples"):
        query(str(course_key))
