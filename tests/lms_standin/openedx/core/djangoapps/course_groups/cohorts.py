"""
Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups/cohorts.py``: the functions the Open edX
backend calls, with the platform's names, signatures, return values and errors (without its events,
signals and request caches).
"""

from common.djangoapps.student.models import get_user_by_username_or_email
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from xmodule.modulestore.django import modulestore

from openedx.core.djangoapps.course_groups.models import (
    CohortMembership,
    CourseCohort,
    CourseCohortsSettings,
    CourseUserGroup,
    CourseUserGroupPartitionGroup,
    UnregisteredLearnerCohortAssignments,
)


def _get_course_cohort_settings(course_key):
    """The course's settings, recorded from the course (not cohorted: no ``cohort_config`` here) on first use."""
    if modulestore().get_course(course_key) is None:
        raise ValueError(f"Course {course_key} not found")
    settings, __ = CourseCohortsSettings.objects.get_or_create(course_id=course_key)
    return settings


def is_course_cohorted(course_key):
    return _get_course_cohort_settings(course_key).is_cohorted


def get_course_cohort_id(course_key):
    return _get_course_cohort_settings(course_key).id


def set_course_cohorted(course_key, cohorted):
    if not isinstance(cohorted, bool):
        raise ValueError("Cohorted must be a boolean")
    settings = _get_course_cohort_settings(course_key)
    settings.is_cohorted = cohorted
    settings.save()


def get_cohort(user, course_key, assign=True, use_cached=False):
    """The learner's cohort in a cohorted course (this stand-in never assigns one)."""
    if not is_course_cohorted(course_key):
        return None
    membership = CohortMembership.objects.filter(course_id=course_key, user_id=user.id).first()
    return membership.course_user_group if membership else None


def get_cohort_by_name(course_key, name):
    return CourseUserGroup.objects.get(course_id=course_key, group_type=CourseUserGroup.COHORT, name=name)


def get_cohort_by_id(course_key, cohort_id):
    return CourseUserGroup.objects.get(course_id=course_key, group_type=CourseUserGroup.COHORT, id=cohort_id)


def is_cohort_exists(course_key, name):
    return CourseUserGroup.objects.filter(course_id=course_key, group_type=CourseUserGroup.COHORT, name=name).exists()


def add_cohort(course_key, name, assignment_type):
    if is_cohort_exists(course_key, name):
        raise ValueError("You cannot create two cohorts with the same name")
    if modulestore().get_course(course_key) is None:
        raise ValueError("Invalid course_key")
    return CourseCohort.create(
        cohort_name=name, course_id=course_key, assignment_type=assignment_type
    ).course_user_group


def add_user_to_cohort(cohort, username_or_email_or_user):
    """``(user, previous cohort name, False)``, or ``(None, None, True)`` when an unknown email is preassigned."""
    try:
        if hasattr(username_or_email_or_user, "email"):
            user = username_or_email_or_user
        else:
            user = get_user_by_username_or_email(username_or_email_or_user)
        __, previous = CohortMembership.assign(cohort, user)
        return user, getattr(previous, "name", None), False
    except get_user_model().DoesNotExist as missing:
        try:
            validate_email(username_or_email_or_user)
        except ValidationError:
            if "@" in username_or_email_or_user:
                raise
            raise missing from None
        UnregisteredLearnerCohortAssignments.objects.update_or_create(
            email=username_or_email_or_user, course_id=cohort.course_id, defaults={"course_user_group": cohort}
        )
        return None, None, True


def remove_user_from_cohort(cohort, username_or_email):
    user = get_user_by_username_or_email(username_or_email)
    try:
        CohortMembership.objects.get(course_user_group=cohort, user=user).delete()
    except CohortMembership.DoesNotExist:
        raise ValueError(f"User {username_or_email} was not present in cohort {cohort}") from None


def get_group_info_for_cohort(cohort, use_cached=False):
    link = CourseUserGroupPartitionGroup.objects.filter(course_user_group=cohort).first()
    return (link.group_id, link.partition_id) if link else (None, None)


def get_assignment_type(user_group):
    return user_group.cohort.assignment_type


def set_assignment_type(user_group, assignment_type):
    course_cohort = user_group.cohort
    course_cohort.assignment_type = assignment_type
    course_cohort.save()
