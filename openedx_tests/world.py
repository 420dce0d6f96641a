"""The contract suite's :class:`World` for an Open edX host: rows of the platform's tables and the real edx-when."""

from __future__ import annotations

from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseAccessRole, ManualEnrollmentAudit, UserProfile
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core import mail
from edx_proctoring.api import create_exam
from edx_proctoring.models import ProctoredExamStudentAttempt
from edx_when.api import set_date_for_block
from lms.djangoapps.certificates.models import GeneratedCertificate
from opaque_keys.edx.django.models import CourseKeyField
from openedx.core.djangoapps.django_comment_common.models import Role
from openedx.core.djangoapps.site_configuration import helpers
from openedx.core.djangoapps.user_api.models import UserPreference
from xmodule.modulestore.django import StandInBlock, modulestore
from xmodule.partitions.partitions import Group, UserPartition

from instructor_plugin.backends.contract.suite import SentMail, World
from instructor_plugin.backends.data import ManualEnrollmentAuditData

User = get_user_model()


class OpenedxWorld(World):
    """
    Courses and blocks go into the stand-in modulestore; a block's due date also into edx-when, as the
    LMS's publish handler (``set_dates_for_course``) puts it there. Users, profiles, language
    preferences and roles are rows of the platform's models.
    """

    def make_course(
        self,
        course_key,
        *,
        display_name="Contract Course",
        modes=("audit", "verified"),
        start=None,
        end=None,
        self_paced=False,
        grade_cutoffs=None,
    ):

        for slug in modes:
            CourseMode.objects.create(course_id=course_key, mode_slug=slug, mode_display_name=slug.title())
        modulestore().add(
            StandInBlock(
                location=course_key.make_usage_key("course", "course"),
                display_name=display_name,
                start=start,
                end=end,
                self_paced=self_paced,
                grading_policy={"GRADE_CUTOFFS": dict(grade_cutoffs)} if grade_cutoffs else {},
            )
        )

    def make_block(self, course_key, usage_key, parent, *, display_name="", due=None):

        modulestore().add(StandInBlock(location=usage_key, display_name=display_name, due=due, parent=parent))
        if due is not None:
            set_date_for_block(course_key, usage_key, "due", due)

    def make_user(self, username, email, full_name, *, is_staff=False, is_active=True, language=None):

        user = User.objects.create_user(username=username, email=email, is_staff=is_staff, is_active=is_active)
        UserProfile.objects.create(user=user, name=full_name)
        if language:
            UserPreference.objects.create(user=user, key="pref-lang", value=language)
        return user.pk

    def grant(self, course_key, user_id, role, *, org_level=False):

        CourseAccessRole.objects.create(
            user_id=user_id, org=course_key.org, course_id=CourseKeyField.Empty if org_level else course_key, role=role
        )

    def grant_forum(self, course_key, user_id, role):

        Role.objects.get_or_create(course_id=course_key, name=role)[0].users.add(user_id)

    def manual_enrollment_audits(self, course_key):
        """The audits of the course's enrollments (the platform's audit names its course through the enrollment)."""
        rows = ManualEnrollmentAudit.objects.filter(enrollment__course_id=course_key).order_by("pk")
        return [
            ManualEnrollmentAuditData(
                enrolled_by_id=row.enrolled_by_id,
                enrolled_email=row.enrolled_email,
                course_key=row.enrollment.course_id,
                state_transition=row.state_transition,
                reason=row.reason,
                created=row.time_stamp,
            )
            for row in rows
        ]

    def sent_mail(self):
        return [SentMail(recipients=tuple(message.to), subject=message.subject) for message in mail.outbox]

    def configure_site(self, values, org_values):

        helpers.SITE_VALUES.update(values)
        helpers.ORG_VALUES.update({org: dict(org_config) for org, org_config in org_values.items()})

    def completion(self, user_id, usage_key):

        row = BlockCompletion.objects.filter(user_id=user_id, block_key=usage_key).first()
        return row.completion if row else None

    def make_exam(self, course_key, name, *, is_proctored=True, is_practice_exam=False, backend=None):
        return create_exam(
            str(course_key),
            str(course_key.make_usage_key("sequential", name)),
            name,
            60,
            is_proctored=is_proctored,
            is_practice_exam=is_practice_exam,
            backend=backend,
        )

    def make_exam_attempt(self, exam_id, user_id, status, started_at):
        ProctoredExamStudentAttempt.objects.create(
            proctored_exam_id=exam_id, user_id=user_id, status=status, started_at=started_at
        )

    def make_certificate(self, course_key, user_id, status, mode):
        GeneratedCertificate.objects.create(course_id=course_key, user_id=user_id, status=status, mode=mode)

    def make_content_groups(self, course_key, partition_id, groups):
        """Studio's "Content Groups": a ``cohort``-scheme user partition of the course block."""
        course = modulestore().get_course(course_key)
        course.user_partitions.append(
            UserPartition(
                id=partition_id,
                name="Content Groups",
                description="",
                groups=[Group(id=group_id, name=name) for group_id, name in groups.items()],
                scheme_id="cohort",
            )
        )
