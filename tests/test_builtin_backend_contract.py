"""The built-in backend keeps the backend contract."""

from __future__ import annotations

from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from opaque_keys.edx.django.models import CourseKeyField

from instructor_plugin.backends.builtin import builtin_backend
from instructor_plugin.backends.builtin.models import (
    Block,
    BlockCompletion,
    ContentGroup,
    CountryAccessRule,
    Course,
    CourseAccessRole,
    CourseGrade,
    CourseMode,
    Curriculum,
    CurriculumCourse,
    EnterpriseCourseEnrollment,
    EnterpriseCustomerUser,
    EntranceExam,
    ExamAttempt,
    ForumRole,
    GeneratedCertificate,
    ManualEnrollmentAudit,
    OpenResponseSubmission,
    ProblemState,
    Program,
    RestrictedCourse,
    SpecialExam,
    UserProfile,
    UserRetirementStatus,
)
from instructor_plugin.backends.contract.suite import BackendContract, SentMail, World
from instructor_plugin.backends.data import ManualEnrollmentAuditData
from instructor_plugin.conf import plugin_storage

User = get_user_model()


class BuiltinWorld(World):
    """Rows of the built-in backend's tables; site configuration in ``INSTRUCTOR_PLUGIN``."""

    def __init__(self, settings):
        self.settings = settings

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
        course = Course.objects.create(
            course_key=course_key,
            display_name=display_name,
            start=start,
            end=end,
            self_paced=self_paced,
            grading_policy={"GRADE_CUTOFFS": dict(grade_cutoffs)} if grade_cutoffs else {},
        )
        for slug in modes:
            CourseMode.objects.create(course=course, slug=slug, display_name=slug.title())
        Block.objects.create(
            course=course, usage_key=course_key.make_usage_key("course", "course"), block_type="course"
        )

    def make_block(self, course_key, usage_key, parent, *, display_name="", due=None):
        course = Course.objects.get(course_key=course_key)
        Block.objects.create(
            course=course,
            usage_key=usage_key,
            parent=Block.objects.get(usage_key=parent) if parent else None,
            block_type=usage_key.block_type,
            display_name=display_name,
            due=due,
            position=course.blocks.count(),
        )

    def make_user(self, username, email, full_name, *, is_staff=False, is_active=True, language=None):
        user = User.objects.create_user(username=username, email=email, is_staff=is_staff, is_active=is_active)
        UserProfile.objects.create(user=user, name=full_name, language=language or "")
        return user.pk

    def grant(self, course_key, user_id, role, *, org_level=False):
        CourseAccessRole.objects.create(
            user_id=user_id, org=course_key.org, course_key=CourseKeyField.Empty if org_level else course_key, role=role
        )

    def grant_forum(self, course_key, user_id, role):
        ForumRole.objects.create(user_id=user_id, course_key=course_key, role=role)

    def manual_enrollment_audits(self, course_key):
        return [
            ManualEnrollmentAuditData(
                enrolled_by_id=row.enrolled_by_id,
                enrolled_email=row.enrolled_email,
                course_key=row.course_key,
                state_transition=row.state_transition,
                reason=row.reason,
                created=row.created,
            )
            for row in ManualEnrollmentAudit.objects.filter(course_key=course_key).order_by("pk")
        ]

    def sent_mail(self):
        return [SentMail(recipients=tuple(message.to), subject=message.subject) for message in mail.outbox]

    def set_mode_details(self, course_key, details):
        CourseMode.objects.filter(course__course_key=course_key, slug=details.slug).update(
            display_name=details.name,
            min_price=details.min_price,
            suggested_prices=details.suggested_prices,
            currency=details.currency,
            expiration_datetime=details.expiration_datetime,
            description=details.description or "",
            sku=details.sku or "",
            bulk_sku=details.bulk_sku or "",
        )

    def set_profile_country(self, user_id, country):
        UserProfile.objects.filter(user_id=user_id).update(country=country)

    def restrict_course(self, course_key, message_key, blocked=(), allowed=()):
        restricted = RestrictedCourse.objects.create(course_key=course_key, enroll_msg_key=message_key)
        rules = [(country, CountryAccessRule.BLACKLIST) for country in blocked]
        rules += [(country, CountryAccessRule.WHITELIST) for country in allowed]
        for country, rule_type in rules:
            CountryAccessRule.objects.create(restricted_course=restricted, country=country, rule_type=rule_type)

    def make_enterprise_learner(self, enterprise_customer_uuid, user_id):
        EnterpriseCustomerUser.objects.create(enterprise_customer_uuid=enterprise_customer_uuid, user_id=user_id)

    def enterprise_course_enrollments(self):
        return [
            (
                str(row.enterprise_customer_user.enterprise_customer_uuid),
                row.enterprise_customer_user.user_id,
                row.course_key,
                row.consent_granted,
            )
            for row in EnterpriseCourseEnrollment.objects.select_related("enterprise_customer_user").order_by("pk")
        ]

    def make_entrance_exam(self, course_key, usage_key, minimum_score_pct):
        EntranceExam.objects.create(
            course=Course.objects.get(course_key=course_key), usage_key=usage_key, minimum_score_pct=minimum_score_pct
        )

    def request_retirement(self, user_id, original_username, state):
        UserRetirementStatus.objects.create(
            user_id=user_id, original_username=original_username, original_email="x@example.com", current_state=state
        )

    def configure_site(self, values, org_values):
        self.settings.INSTRUCTOR_PLUGIN = {
            **self.settings.INSTRUCTOR_PLUGIN,
            "SITE_CONFIGURATION": {**values, "orgs": dict(org_values)},
        }

    def completion(self, user_id, usage_key):
        return (
            BlockCompletion.objects.filter(user_id=user_id, usage_key=usage_key)
            .values_list("completion", flat=True)
            .first()
        )

    def make_exam(self, course_key, name, *, is_proctored=True, is_practice_exam=False, backend=None):
        return SpecialExam.objects.create(
            course_key=course_key,
            content_id=course_key.make_usage_key("sequential", name),
            exam_name=name,
            time_limit_mins=60,
            is_proctored=is_proctored,
            is_practice_exam=is_practice_exam,
            backend=backend or "",
        ).pk

    def make_exam_attempt(self, exam_id, user_id, status, started_at):
        ExamAttempt.objects.create(exam_id=exam_id, user_id=user_id, status=status, started_at=started_at)

    def make_problem_state(self, course_key, usage_key, user_id, *, attempts, score, max_score, state):
        ProblemState.objects.create(
            course_key=course_key,
            usage_key=usage_key,
            user_id=user_id,
            attempts=attempts,
            score=score,
            max_score=max_score,
            state=dict(state),
        )

    @staticmethod
    def _points_problem(usage_key):
        """The one scored problem of a graded subsection the world made."""
        return usage_key.course_key.make_usage_key("problem", f"{usage_key.block_id}_points")

    def make_graded_subsection(self, course_key, usage_key, parent, *, assignment_type, possible):
        course = Course.objects.get(course_key=course_key)
        subsection = Block.objects.create(
            course=course,
            usage_key=usage_key,
            parent=Block.objects.get(usage_key=parent),
            block_type=usage_key.block_type,
            graded=True,
            assignment_type=assignment_type,
            position=course.blocks.count(),
        )
        Block.objects.create(
            course=course,
            usage_key=self._points_problem(usage_key),
            parent=subsection,
            block_type="problem",
            graded=True,
            has_score=True,
            weight=possible,
            position=course.blocks.count(),
        )

    def make_subsection_score(self, course_key, usage_key, user_id, earned):
        problem = Block.objects.get(usage_key=self._points_problem(usage_key))
        ProblemState.objects.create(
            course_key=course_key,
            usage_key=problem.usage_key,
            user_id=user_id,
            attempts=1,
            score=earned,
            max_score=problem.weight,
        )

    def set_course_grade(self, course_key, user_id, percent, letter_grade):
        CourseGrade.objects.update_or_create(
            course_key=course_key,
            user_id=user_id,
            defaults={"percent": percent, "letter_grade": letter_grade, "passed": bool(letter_grade)},
        )

    def make_content_groups(self, course_key, partition_id, groups):
        ContentGroup.objects.bulk_create(
            ContentGroup(course_key=course_key, partition_id=partition_id, group_id=group_id, name=name)
            for group_id, name in groups.items()
        )

    def make_certificate(self, course_key, user_id, status, mode):
        GeneratedCertificate.objects.create(course_key=course_key, user_id=user_id, status=status, mode=mode)

    def make_program(self, uuid, title, org, curricula, *, program_type="Masters"):
        program = Program.objects.create(
            uuid=uuid, title=title, marketing_slug=title.lower().replace(" ", "-"), program_type=program_type, org=org
        )
        for curriculum_uuid, course_keys in curricula.items():
            curriculum = Curriculum.objects.create(program=program, uuid=curriculum_uuid, name=f"{title} curriculum")
            CurriculumCourse.objects.bulk_create(
                CurriculumCourse(curriculum=curriculum, course_key=course_key, position=position)
                for position, course_key in enumerate(course_keys)
            )

    def make_identity_provider(self, org):
        """The built-in backend records any organisation's external keys: nothing to set up."""

    def make_open_response_block(self, course_key, usage_key, parent, *, display_name="", staff_step=False):
        """A block like any other: the built-in tables keep no assessment steps."""
        self.make_block(course_key, usage_key, parent, display_name=display_name)

    def make_open_response(
        self, course_key, usage_key, user_id, *, status, submitted_at, answer_text="", files=(), points=None
    ):
        """An ``OpenResponseSubmission`` row; the files that have content are saved in ``ORA_FILE_STORAGE``."""
        submission_uuid = uuid4()
        storage = plugin_storage("ORA_FILE_STORAGE")
        listed = []
        for index, attached in enumerate(files):
            path = f"submissions/{submission_uuid}/{index}_{attached.name}"
            if attached.content is not None:
                path = storage.save(path, ContentFile(attached.content))
            listed.append({"name": attached.name, "path": path, "description": attached.description})
        OpenResponseSubmission.objects.create(
            user_id=user_id,
            course_key=course_key,
            usage_key=usage_key,
            submission_uuid=submission_uuid,
            status=status,
            answer_text=answer_text,
            files=listed,
            points_earned=points[0] if points else None,
            points_possible=points[1] if points else None,
            submitted_at=submitted_at,
        )
        return str(submission_uuid)


class TestBuiltinBackend(BackendContract):
    @pytest.fixture
    def backend(self):
        return builtin_backend()

    @pytest.fixture
    def world(self, db, settings):
        return BuiltinWorld(settings)
