"""Open-response assessments of a course: response counts per assessment and for the whole course."""

from __future__ import annotations

from opaque_keys.edx.keys import CourseKey

from .backends.data import OpenResponseCountsData, Page, PageRequest
from .backends.registry import get_backend
from .conf import plugin_setting

__all__ = ["get_open_response_assessment_list", "get_ora_summary", "staff_grading_url"]


def staff_grading_url(assessment: OpenResponseCountsData) -> str | None:
    """The staff-grading MFE page of an assessment with a staff step, when that MFE is configured."""
    root = plugin_setting("ORA_GRADING_MICROFRONTEND_URL")
    if not root or not assessment.has_staff_step:
        return None
    return f"{str(root).rstrip('/')}/{assessment.usage_key}"


def get_open_response_assessment_list(course_key: CourseKey, page: PageRequest) -> Page[dict]:
    """One page of the course's assessments in course order, each with its counts per workflow step."""
    counts = get_backend().open_responses.list_counts(course_key, page)
    items = [
        {
            "id": str(item.usage_key),
            "name": item.display_name,
            "parent_name": item.unit_name,
            "total": item.total,
            "training": item.training,
            "peer": item.peer,
            "self": item.self,
            "waiting": item.waiting,
            "staff": item.staff,
            "done": item.done,
            "staff_ora_grading_url": staff_grading_url(item),
        }
        for item in counts.items
    ]
    return Page(items=items, total=counts.total)


def get_ora_summary(course_key: CourseKey) -> dict[str, int]:
    """The course's counts summed over its assessments, with the number of assessments and of their units."""
    summary = get_backend().open_responses.summarize(course_key)
    return {
        "total_units": summary.units,
        "total_assessments": summary.assessments,
        "total_responses": summary.total,
        "training": summary.training,
        "peer": summary.peer,
        "self": summary.self,
        "waiting": summary.waiting,
        "staff": summary.staff,
        "final_grade_received": summary.done,
    }
