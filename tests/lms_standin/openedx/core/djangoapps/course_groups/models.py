"""Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups/models.py``: groups, cohorts, memberships."""

from django.conf import settings
from django.db import models, transaction
from opaque_keys.edx.django.models import CourseKeyField


class CourseUserGroup(models.Model):
    """A group of a course's users; a cohort when ``group_type`` is ``cohort``."""

    COHORT = "cohort"

    name = models.CharField(max_length=255)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, db_index=True, related_name="course_groups")
    course_id = CourseKeyField(max_length=255, db_index=True)
    group_type = models.CharField(max_length=20, choices=((COHORT, "Cohort"),))

    class Meta:
        app_label = "course_groups"
        unique_together = (("name", "course_id"),)


class CohortMembership(models.Model):
    """A learner's (single) cohort in a course; kept in step with ``CourseUserGroup.users``."""

    course_user_group = models.ForeignKey(CourseUserGroup, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255)

    class Meta:
        app_label = "course_groups"
        unique_together = (("user", "course_id"),)

    @classmethod
    def assign(cls, cohort, user):
        """Move ``user`` into ``cohort``: ``(membership, previous cohort or None)``; ValueError if already in it."""
        with transaction.atomic():
            membership, created = cls.objects.select_for_update().get_or_create(
                user=user, course_id=cohort.course_id, defaults={"course_user_group": cohort}
            )
            if created:
                cohort.users.add(user)
                return membership, None
            if membership.course_user_group_id == cohort.pk:
                raise ValueError(f"User {user.username} already present in cohort {cohort.name}")
            previous = membership.course_user_group
            previous.users.remove(user)
            membership.course_user_group = cohort
            membership.save()
            cohort.users.add(user)
            return membership, previous

    def delete(self, *args, **kwargs):
        self.course_user_group.users.remove(self.user)
        return super().delete(*args, **kwargs)


class CourseUserGroupPartitionGroup(models.Model):
    """The content group (a group of a user partition) a cohort is linked to."""

    course_user_group = models.OneToOneField(CourseUserGroup, on_delete=models.CASCADE)
    partition_id = models.IntegerField()
    group_id = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "course_groups"


class CourseCohortsSettings(models.Model):
    """Whether a course is cohorted."""

    is_cohorted = models.BooleanField(default=False)
    course_id = CourseKeyField(unique=True, max_length=255, db_index=True)

    class Meta:
        app_label = "course_groups"


class CourseCohort(models.Model):
    """A cohort's assignment type (``random`` or ``manual``)."""

    RANDOM = "random"
    MANUAL = "manual"

    course_user_group = models.OneToOneField(
        CourseUserGroup, unique=True, related_name="cohort", on_delete=models.CASCADE
    )
    assignment_type = models.CharField(max_length=20, default=MANUAL)

    class Meta:
        app_label = "course_groups"

    @classmethod
    def create(cls, cohort_name=None, course_id=None, course_user_group=None, assignment_type=MANUAL):
        if course_user_group is None:
            course_user_group, __ = CourseUserGroup.objects.get_or_create(
                name=cohort_name, course_id=course_id, group_type=CourseUserGroup.COHORT
            )
        course_cohort, __ = cls.objects.get_or_create(
            course_user_group=course_user_group, defaults={"assignment_type": assignment_type}
        )
        return course_cohort


class UnregisteredLearnerCohortAssignments(models.Model):
    """An email preassigned to a cohort, for whoever registers with it."""

    course_user_group = models.ForeignKey(CourseUserGroup, on_delete=models.CASCADE)
    email = models.CharField(blank=True, max_length=255, db_index=True)
    course_id = CourseKeyField(max_length=255)

    class Meta:
        app_label = "course_groups"
        unique_together = (("course_id", "email"),)
