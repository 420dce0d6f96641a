"""
Cohorts from the LMS's ``course_groups`` app, and content groups from the course's cohort user partition.

Changes go through ``openedx.core.djangoapps.course_groups.cohorts`` so that its events and signals
fire; lists and counts query its models (``CourseUserGroup``, ``CohortMembership``, ``CourseCohort``,
``CourseUserGroupPartitionGroup``), counting and slicing in the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from opaque_keys.edx.keys import CourseKey

from ..data import (
    CohortData,
    CohortMove,
    CohortSettingsData,
    ContentGroupData,
    ContentGroupPartitionData,
    Page,
    PageRequest,
    UserData,
)
from .users import user_records, users_with_profile


def _api() -> Any:
    from openedx.core.djangoapps.course_groups import cohorts

    return cohorts


def _models() -> Any:
    from openedx.core.djangoapps.course_groups import models

    return models


def _cohorts(course_key: CourseKey) -> Any:
    """The course's cohorts with their assignment type, link and ``user_count`` (actively enrolled members)."""
    from common.djangoapps.student.models import CourseEnrollment

    models = _models()
    enrolled = CourseEnrollment.objects.filter(
        course_id=course_key, is_active=True, user_id=OuterRef("cohortmembership__user_id")
    )
    return (
        models.CourseUserGroup.objects.filter(course_id=course_key, group_type=models.CourseUserGroup.COHORT)
        .select_related("cohort", "courseusergrouppartitiongroup")
        .annotate(user_count=Count("cohortmembership", filter=Q(Exists(enrolled))))
    )


def _to_data(group: Any, user_count: int | None = None) -> CohortData:
    link = getattr(group, "courseusergrouppartitiongroup", None)
    course_cohort = getattr(group, "cohort", None)
    return CohortData(
        id=group.pk,
        name=group.name,
        user_count=group.user_count if user_count is None else user_count,
        assignment_type=course_cohort.assignment_type if course_cohort else "manual",
        group_id=link.group_id if link else None,
        user_partition_id=link.partition_id if link else None,
    )


class OpenedxCohortService:
    """Cohorts as the LMS's ``course_groups`` app keeps them."""

    def is_cohorted(self, course_key: CourseKey) -> bool:
        """``cohorts.is_course_cohorted``."""
        return bool(_api().is_course_cohorted(course_key))

    def list_cohorts(self, course_key: CourseKey) -> Sequence[CohortData]:
        """The course's ``CourseUserGroup`` cohorts by name, ``user_count`` counting every member."""
        rows = _cohorts(course_key).annotate(members=Count("cohortmembership", distinct=True)).order_by("name", "pk")
        return [_to_data(row, user_count=row.members) for row in rows]

    def get_cohort_names(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        """``CohortMembership`` rows of the learners in the course."""
        wanted = sorted(set(user_ids))
        rows = _models().CohortMembership.objects.filter(course_id=course_key, user_id__in=wanted)
        return dict(rows.values_list("user_id", "course_user_group__name"))

    def get_settings(self, course_key: CourseKey) -> CohortSettingsData:
        """``cohorts.get_course_cohort_id`` and ``cohorts.is_course_cohorted`` (recorded on first read)."""
        api = _api()
        return CohortSettingsData(
            id=api.get_course_cohort_id(course_key), is_cohorted=api.is_course_cohorted(course_key)
        )

    def set_cohorted(self, course_key: CourseKey, is_cohorted: bool) -> CohortSettingsData:
        """``cohorts.set_course_cohorted``."""
        _api().set_course_cohorted(course_key, bool(is_cohorted))
        return self.get_settings(course_key)

    def list_cohorts_page(self, course_key: CourseKey, descending: bool, page: PageRequest) -> Page[CohortData]:
        """One page of the course's ``CourseUserGroup`` cohorts by name."""
        rows = _cohorts(course_key).order_by("-name" if descending else "name", "pk")
        items = [_to_data(row) for row in rows[page.offset : page.offset + page.limit]]
        total = _models().CourseUserGroup.objects.filter(course_id=course_key, group_type="cohort").count()
        return Page(items=items, total=total)

    def get_cohort(self, course_key: CourseKey, cohort_id: int) -> CohortData | None:
        """The cohort of this id in the course (``cohorts.get_cohort_by_id``'s lookup), counted."""
        row = _cohorts(course_key).filter(pk=cohort_id).first()
        return _to_data(row) if row else None

    def find_cohort(self, course_key: CourseKey, name: str) -> CohortData | None:
        """The cohort of this name in the course (``cohorts.get_cohort_by_name``'s lookup), counted."""
        row = _cohorts(course_key).filter(name=name).first()
        return _to_data(row) if row else None

    def create_cohort(
        self,
        course_key: CourseKey,
        name: str,
        assignment_type: str,
        group_id: int | None = None,
        user_partition_id: int | None = None,
    ) -> CohortData:
        """``cohorts.add_cohort``, then its ``CourseUserGroupPartitionGroup`` link when given."""
        group = _api().add_cohort(course_key, name, assignment_type)
        self._link(group, group_id, user_partition_id)
        return self._reread(course_key, group.pk)

    def update_cohort(
        self,
        course_key: CourseKey,
        cohort_id: int,
        name: str,
        assignment_type: str,
        group_id: int | None,
        user_partition_id: int | None,
    ) -> CohortData:
        """The ``CourseUserGroup``'s name, ``cohorts.set_assignment_type`` and the content-group link."""
        api = _api()
        group = api.get_cohort_by_id(course_key, cohort_id)
        if group.name != name:
            group.name = name
            group.save(update_fields=["name"])
        if api.get_assignment_type(group) != assignment_type:
            api.set_assignment_type(group, assignment_type)
        self._link(group, group_id, user_partition_id)
        return self._reread(course_key, cohort_id)

    @staticmethod
    def _link(group: Any, group_id: int | None, user_partition_id: int | None) -> None:
        """Link the cohort to the content group (``CourseUserGroupPartitionGroup``), or unlink it when ``None``."""
        links = _models().CourseUserGroupPartitionGroup.objects
        if group_id is None or user_partition_id is None:
            links.filter(course_user_group=group).delete()
            return
        links.update_or_create(
            course_user_group=group, defaults={"group_id": group_id, "partition_id": user_partition_id}
        )

    @staticmethod
    def _reread(course_key: CourseKey, cohort_id: int) -> CohortData:
        return _to_data(_cohorts(course_key).get(pk=cohort_id))

    def list_members(self, course_key: CourseKey, cohort_id: int, page: PageRequest) -> Page[UserData]:
        """The cohort's ``CohortMembership`` users by username."""
        members = users_with_profile().filter(
            cohortmembership__course_user_group_id=cohort_id, cohortmembership__course_id=course_key
        )
        rows = members.order_by("username", "pk")[page.offset : page.offset + page.limit]
        return Page(items=list(user_records(rows)), total=members.count())

    def get_user_cohort(self, course_key: CourseKey, user_id: int) -> CohortData | None:
        """The learner's ``CohortMembership`` in the course, whether or not the course is cohorted now."""
        membership = (
            _models()
            .CohortMembership.objects.filter(course_id=course_key, user_id=user_id)
            .values_list("course_user_group_id", flat=True)
            .first()
        )
        return self.get_cohort(course_key, membership) if membership else None

    def assign_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> CohortMove:
        """``cohorts.add_user_to_cohort`` (a learner already in the cohort stays, having left none)."""
        api = _api()
        group = api.get_cohort_by_id(course_key, cohort_id)
        user = get_user_model().objects.get(pk=user_id)
        try:
            __, previous, __ = api.add_user_to_cohort(group, user)
        except ValueError:
            return CohortMove(user_id=user_id, previous_cohort=None)
        return CohortMove(user_id=user_id, previous_cohort=previous)

    def remove_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> bool:
        """``cohorts.remove_user_from_cohort``; ``False`` when the learner was not in it."""
        api = _api()
        group = _models().CourseUserGroup.objects.filter(course_id=course_key, pk=cohort_id).first()
        user = get_user_model().objects.filter(pk=user_id).first()
        if group is None or user is None:
            return False
        try:
            api.remove_user_from_cohort(group, user.username)
        except ValueError:
            return False
        return True

    def preassign_email(self, course_key: CourseKey, cohort_id: int, email: str) -> None:
        """An ``UnregisteredLearnerCohortAssignments`` row, replacing the email's earlier one in the course."""
        assignments = _models().UnregisteredLearnerCohortAssignments.objects
        assignments.filter(course_id=course_key, email__iexact=email).exclude(email=email).delete()
        assignments.update_or_create(course_id=course_key, email=email, defaults={"course_user_group_id": cohort_id})

    def pop_preassignment(self, course_key: CourseKey, email: str) -> int | None:
        """The ``UnregisteredLearnerCohortAssignments`` of the email, deleted (as ``cohorts.get_cohort`` does)."""
        row = _models().UnregisteredLearnerCohortAssignments.objects.filter(course_id=course_key, email__iexact=email)
        assignment = row.first()
        if assignment is None:
            return None
        assignment.delete()
        return assignment.course_user_group_id

    def pop_preassignments(self, course_key: CourseKey, emails: Collection[str]) -> Mapping[str, int]:
        """The ``UnregisteredLearnerCohortAssignments`` of these emails, deleted, by the email lower-cased."""
        wanted = Q(pk__in=[])
        for email in emails:
            wanted |= Q(email__iexact=email.strip())
        rows = _models().UnregisteredLearnerCohortAssignments.objects.filter(wanted, course_id=course_key)
        found = list(rows.values_list("pk", "email", "course_user_group_id"))
        if found:
            _models().UnregisteredLearnerCohortAssignments.objects.filter(pk__in=[pk for pk, _, _ in found]).delete()
        return {email.lower(): cohort_id for _, email, cohort_id in found}

    def add_members(self, course_key: CourseKey, cohort_by_user: Mapping[int, int]) -> None:
        """
        ``cohorts.add_user_to_cohort`` of each learner, one at a time, so that the platform's cohort-change
        signals and events fire for each as when it places learners itself.
        """
        for user_id, cohort_id in cohort_by_user.items():
            self.assign_member(course_key, cohort_id, user_id)

    def get_content_group_partition(self, course_key: CourseKey) -> ContentGroupPartitionData | None:
        """``partition_scheme.get_cohorted_user_partition`` of the modulestore's course."""
        from openedx.core.djangoapps.course_groups.partition_scheme import get_cohorted_user_partition
        from xmodule.modulestore.django import modulestore

        course = modulestore().get_course(course_key)
        partition = get_cohorted_user_partition(course) if course is not None else None
        if partition is None:
            return None
        return ContentGroupPartitionData(
            id=partition.id,
            name=partition.name,
            description=partition.description,
            groups=tuple(ContentGroupData(id=group.id, name=group.name) for group in partition.groups),
        )
