"""Course cohorts of the built-in backend."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, Lower
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
from ..rows import insert_rows
from .id_sets import among_ids
from .models import (
    Cohort,
    CohortMemberCount,
    CohortMembership,
    CohortPreassignment,
    CohortSettings,
    ContentGroup,
)
from .users import user_data_rows

User = get_user_model()


def _to_data(row: Any) -> CohortData:
    """The boundary record of a ``Cohort`` annotated with ``user_count``."""
    return CohortData(
        id=row.pk,
        name=row.name,
        user_count=row.user_count,
        assignment_type=row.assignment_type,
        group_id=row.group_id,
        user_partition_id=row.user_partition_id,
    )


def _counted(course_key: CourseKey, count: str = "enrolled") -> QuerySet[Cohort]:
    """
    The course's cohorts, each with ``user_count``: its members actively enrolled in the course (``enrolled``),
    or all of them (``members``), as :class:`~.models.CohortMemberCount` keeps them.
    """
    return Cohort.objects.filter(course_key=course_key).annotate(user_count=Coalesce(f"member_count__{count}", 0))


class BuiltinCohortService:
    """
    ``Cohort``, ``CohortMembership``, ``CohortSettings`` and ``CohortPreassignment``.

    A course without a ``CohortSettings`` row is cohorted when it has at least one cohort.
    """

    def is_cohorted(self, course_key: CourseKey) -> bool:
        setting = CohortSettings.objects.filter(course_key=course_key).values_list("is_cohorted", flat=True).first()
        if setting is not None:
            return setting
        return Cohort.objects.filter(course_key=course_key).exists()

    def list_cohorts(self, course_key: CourseKey) -> Sequence[CohortData]:
        rows = _counted(course_key, "members").order_by("name")
        return [_to_data(row) for row in rows]

    def get_cohort_names(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        """
        A report's chunk of ids (sorted, nearly consecutive) is read as the range between the first and last:
        MariaDB turns a list of 1,000 ids into a derived table joined row by row.
        """
        wanted = set(user_ids)
        if not wanted:
            return {}
        rows = CohortMembership.objects.filter(among_ids("user_id", wanted), course_key=course_key)
        return {user_id: name for user_id, name in rows.values_list("user_id", "cohort__name") if user_id in wanted}

    # --- Managing cohorts ---

    def get_settings(self, course_key: CourseKey) -> CohortSettingsData:
        row = CohortSettings.objects.filter(course_key=course_key).first()
        if row is None:
            row, _ = CohortSettings.objects.get_or_create(
                course_key=course_key, defaults={"is_cohorted": self.is_cohorted(course_key)}
            )
        return CohortSettingsData(id=row.pk, is_cohorted=row.is_cohorted)

    def set_cohorted(self, course_key: CourseKey, is_cohorted: bool) -> CohortSettingsData:
        row, _ = CohortSettings.objects.update_or_create(course_key=course_key, defaults={"is_cohorted": is_cohorted})
        return CohortSettingsData(id=row.pk, is_cohorted=row.is_cohorted)

    def list_cohorts_page(self, course_key: CourseKey, descending: bool, page: PageRequest) -> Page[CohortData]:
        rows = _counted(course_key).order_by("-name" if descending else "name", "pk")
        items = [_to_data(row) for row in rows[page.offset : page.offset + page.limit]]
        return Page(items=items, total=Cohort.objects.filter(course_key=course_key).count())

    def get_cohort(self, course_key: CourseKey, cohort_id: int) -> CohortData | None:
        row = _counted(course_key).filter(pk=cohort_id).first()
        return _to_data(row) if row else None

    def find_cohort(self, course_key: CourseKey, name: str) -> CohortData | None:
        row = _counted(course_key).filter(name=name).first()
        return _to_data(row) if row else None

    def create_cohort(
        self,
        course_key: CourseKey,
        name: str,
        assignment_type: str,
        group_id: int | None = None,
        user_partition_id: int | None = None,
    ) -> CohortData:
        row = Cohort.objects.create(
            course_key=course_key,
            name=name,
            assignment_type=assignment_type,
            group_id=group_id,
            user_partition_id=user_partition_id,
        )
        return CohortData(
            id=row.pk,
            name=row.name,
            user_count=0,
            assignment_type=row.assignment_type,
            group_id=row.group_id,
            user_partition_id=row.user_partition_id,
        )

    def update_cohort(
        self,
        course_key: CourseKey,
        cohort_id: int,
        name: str,
        assignment_type: str,
        group_id: int | None,
        user_partition_id: int | None,
    ) -> CohortData:
        Cohort.objects.filter(course_key=course_key, pk=cohort_id).update(
            name=name, assignment_type=assignment_type, group_id=group_id, user_partition_id=user_partition_id
        )
        return _to_data(_counted(course_key).get(pk=cohort_id))

    def list_members(self, course_key: CourseKey, cohort_id: int, page: PageRequest) -> Page[UserData]:
        # The page's members in the order of the (course_key, cohort, username) index, then their users.
        members = CohortMembership.objects.filter(course_key=course_key, cohort_id=cohort_id)
        ids = members.order_by("username", "pk").values_list("user_id", flat=True)
        rows = User.objects.filter(pk__in=list(ids[page.offset : page.offset + page.limit])).order_by("username", "pk")
        counts = CohortMemberCount.objects.filter(cohort_id=cohort_id, cohort__course_key=course_key)
        total = counts.values_list("members", flat=True).first()
        return Page(items=list(user_data_rows(rows)), total=total or 0)

    def get_user_cohort(self, course_key: CourseKey, user_id: int) -> CohortData | None:
        membership = CohortMembership.objects.filter(course_key=course_key, user_id=user_id).values("cohort_id").first()
        return self.get_cohort(course_key, membership["cohort_id"]) if membership else None

    def assign_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> CohortMove:
        with transaction.atomic():
            current = (
                CohortMembership.objects.select_for_update()
                .select_related("cohort")
                .filter(course_key=course_key, user_id=user_id)
                .first()
            )
            if current is None:
                CohortMembership.objects.create(course_key=course_key, cohort_id=cohort_id, user_id=user_id)
                return CohortMove(user_id=user_id, previous_cohort=None)
            previous = current.cohort.name if current.cohort_id != cohort_id else None
            current.cohort_id = cohort_id
            current.save(update_fields=["cohort"])
            return CohortMove(user_id=user_id, previous_cohort=previous)

    def remove_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> bool:
        deleted, _ = CohortMembership.objects.filter(
            course_key=course_key, cohort_id=cohort_id, user_id=user_id
        ).delete()
        return bool(deleted)

    def preassign_email(self, course_key: CourseKey, cohort_id: int, email: str) -> None:
        CohortPreassignment.objects.update_or_create(
            course_key=course_key,
            email__iexact=email,
            defaults={"cohort_id": cohort_id},
            create_defaults={"cohort_id": cohort_id, "email": email, "course_key": course_key},
        )

    def pop_preassignment(self, course_key: CourseKey, email: str) -> int | None:
        row = CohortPreassignment.objects.filter(course_key=course_key, email__iexact=email).first()
        if row is None:
            return None
        row.delete()
        return row.cohort_id

    def pop_preassignments(self, course_key: CourseKey, emails: Collection[str]) -> Mapping[str, int]:
        lowered = {email.strip().lower() for email in emails}
        rows = CohortPreassignment.objects.annotate(email_lower=Lower("email")).filter(
            course_key=course_key, email_lower__in=lowered
        )
        found = list(rows.values_list("pk", "email_lower", "cohort_id"))
        if found:
            CohortPreassignment.objects.filter(pk__in=[pk for pk, _, _ in found]).delete()
        return {email: cohort_id for _, email, cohort_id in found}

    def add_members(self, course_key: CourseKey, cohort_by_user: Mapping[int, int]) -> None:
        course = str(course_key)
        insert_rows(
            CohortMembership,
            ("course_key", "cohort", "user"),
            ((course, cohort_id, user_id) for user_id, cohort_id in cohort_by_user.items()),
        )

    # --- Content groups ---

    #: The name Studio gives a course's cohort user partition.
    CONTENT_GROUP_PARTITION_NAME = "Content Groups"

    def get_content_group_partition(self, course_key: CourseKey) -> ContentGroupPartitionData | None:
        rows = list(ContentGroup.objects.filter(course_key=course_key).order_by("partition_id", "group_id"))
        if not rows:
            return None
        partition_id = rows[0].partition_id
        return ContentGroupPartitionData(
            id=partition_id,
            name=self.CONTENT_GROUP_PARTITION_NAME,
            groups=tuple(
                ContentGroupData(id=row.group_id, name=row.name) for row in rows if row.partition_id == partition_id
            ),
        )
