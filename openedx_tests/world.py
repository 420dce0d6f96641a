"""The contract suite's :class:`World` for an Open edX host: rows of the platform's tables and the real edx-when."""

from __future__ import annotations

import json

from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import (
    CourseAccessRole,
    ManualEnrollmentAudit,
    UserProfile,
    anonymous_id_for_user,
)
from common.djangoapps.third_party_auth.models import SAMLProviderConfig
from completion.models import BlockCompletion
from consent.models import DataSharingConsent
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from edx_proctoring.api import create_exam
from edx_proctoring.models import ProctoredExamStudentAttempt
from edx_when.api import set_date_for_block
from enterprise.models import EnterpriseCourseEnrollment, EnterpriseCustomer, EnterpriseCustomerUser
from lms.djangoapps.certificates.models import GeneratedCertificate
from lms.djangoapps.courseware.models import StudentModule
from lms.djangoapps.grades.models import PersistentCourseGrade, PersistentSubsectionGrade
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey
from openassessment.fileupload.api import get_student_file_key, get_upload_url
from openassessment.workflow.models import AssessmentWorkflow
from openedx.core.djangoapps.catalog import cache as catalog_cache
from openedx.core.djangoapps.catalog.utils import normalize_program_type
from openedx.core.djangoapps.django_comment_common.models import Role
from openedx.core.djangoapps.embargo.models import Country, CountryAccessRule, RestrictedCourse
from openedx.core.djangoapps.site_configuration import helpers
from openedx.core.djangoapps.user_api.models import RetirementState, UserPreference, UserRetirementStatus
from organizations.models import Organization
from submissions.api import create_submission, set_score
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

    def __init__(self):
        #: The points of each graded subsection the world made, by usage key.
        self.possible_points = {}

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

    def set_mode_details(self, course_key, details):
        CourseMode.objects.filter(course_id=course_key, mode_slug=details.slug).update(
            mode_display_name=details.name,
            min_price=details.min_price,
            suggested_prices=details.suggested_prices,
            currency=details.currency,
            expiration_datetime=details.expiration_datetime,
            description=details.description,
            sku=details.sku,
            bulk_sku=details.bulk_sku,
        )

    def set_profile_country(self, user_id, country):
        UserProfile.objects.filter(user_id=user_id).update(country=country)

    def restrict_course(self, course_key, message_key, blocked=(), allowed=()):
        restricted = RestrictedCourse.objects.create(course_key=course_key, enroll_msg_key=message_key)
        rules = [(code, CountryAccessRule.BLACKLIST_RULE) for code in blocked]
        rules += [(code, CountryAccessRule.WHITELIST_RULE) for code in allowed]
        for code, rule_type in rules:
            country = Country.objects.get_or_create(country=code)[0]
            CountryAccessRule.objects.create(restricted_course=restricted, country=country, rule_type=rule_type)

    def make_entrance_exam(self, course_key, usage_key, minimum_score_pct):
        course = modulestore().get_course(course_key)
        course.entrance_exam_enabled = True
        course.entrance_exam_id = str(usage_key)
        course.entrance_exam_minimum_score_pct = minimum_score_pct
        modulestore().update_item(course, -1)

    def make_enterprise_learner(self, enterprise_customer_uuid, user_id):
        customer = EnterpriseCustomer.objects.get_or_create(uuid=enterprise_customer_uuid, defaults={"name": "Acme"})[0]
        EnterpriseCustomerUser.objects.create(enterprise_customer=customer, user_id=user_id)

    def enterprise_course_enrollments(self):
        """edx-enterprise's enrollments, each with its learner's ``DataSharingConsent`` for the course."""
        rows = EnterpriseCourseEnrollment.objects.select_related("enterprise_customer_user").order_by("pk")
        result = []
        for row in rows:
            learner = row.enterprise_customer_user
            username = User.objects.get(pk=learner.user_id).username
            granted = DataSharingConsent.objects.filter(
                username=username,
                enterprise_customer_id=learner.enterprise_customer_id,
                course_id=row.course_id,
                granted=True,
            ).exists()
            result.append(
                (str(learner.enterprise_customer_id), learner.user_id, CourseKey.from_string(row.course_id), granted)
            )
        return result

    def request_retirement(self, user_id, original_username, state):
        order = RetirementState.objects.count() + 1
        current = RetirementState.objects.get_or_create(state_name=state, defaults={"state_execution_order": order})[0]
        UserRetirementStatus.objects.create(
            user_id=user_id,
            original_username=original_username,
            original_email=f"{original_username}@example.com",
            retired_username=f"retired__user_{user_id}",
            retired_email=f"retired__user_{user_id}@retired.invalid",
            current_state=current,
            last_state=current,
        )

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

    def make_problem_state(self, course_key, usage_key, user_id, *, attempts, score, max_score, state):
        StudentModule.objects.create(
            course_id=course_key,
            module_state_key=usage_key,
            module_type=usage_key.block_type,
            student_id=user_id,
            state=json.dumps({**state, "attempts": attempts}),
            grade=score,
            max_grade=max_score,
        )

    @staticmethod
    def _points_problem(usage_key):
        """The one scored problem of a graded subsection the world made."""
        return usage_key.course_key.make_usage_key("problem", f"{usage_key.block_id}_points")

    def make_graded_subsection(self, course_key, usage_key, parent, *, assignment_type, possible):
        """A ``graded`` subsection block with its ``format``, and a problem child worth ``possible`` points."""
        modulestore().add(StandInBlock(location=usage_key, parent=parent, graded=True, format=assignment_type))
        modulestore().add(StandInBlock(location=self._points_problem(usage_key), parent=usage_key, graded=True))
        self.possible_points[usage_key] = possible

    def make_subsection_score(self, course_key, usage_key, user_id, earned):
        """The problem's ``StudentModule`` and the ``PersistentSubsectionGrade`` the LMS's grading persists from it."""
        possible = self.possible_points[usage_key]
        self.make_problem_state(
            course_key, self._points_problem(usage_key), user_id, attempts=1, score=earned, max_score=possible, state={}
        )
        PersistentSubsectionGrade.objects.create(
            user_id=user_id,
            course_id=course_key,
            usage_key=usage_key,
            earned_all=earned,
            possible_all=possible,
            earned_graded=earned,
            possible_graded=possible,
            first_attempted=timezone.now(),
        )

    def set_course_grade(self, course_key, user_id, percent, letter_grade):
        PersistentCourseGrade.objects.update_or_create(
            course_id=course_key,
            user_id=user_id,
            defaults={
                "percent_grade": percent,
                "letter_grade": letter_grade,
                "passed_timestamp": timezone.now() if letter_grade else None,
            },
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

    @staticmethod
    def _add_to_cached_list(key, uuid):
        cache.set(key, [*cache.get(key, []), uuid], None)

    def make_program(self, uuid, title, org, curricula, *, program_type="Masters"):
        """Discovery's program dict where the LMS's ``cache_programs`` puts it, and each index it keeps."""
        Organization.objects.get_or_create(short_name=org, defaults={"name": org})
        program = {
            "uuid": uuid,
            "title": title,
            "marketing_slug": title.lower().replace(" ", "-"),
            "type": program_type,
            "authoring_organizations": [{"key": org}],
            "curricula": [
                {
                    "uuid": curriculum_uuid,
                    "name": f"{title} curriculum",
                    "is_active": True,
                    "courses": [{"key": f"{key.org}+{key.course}", "course_runs": [{"key": str(key)}]} for key in keys],
                }
                for curriculum_uuid, keys in curricula.items()
            ],
        }
        cache.set(catalog_cache.PROGRAM_CACHE_KEY_TPL.format(uuid=uuid), program, None)
        site = Site.objects.get_current()
        self._add_to_cached_list(catalog_cache.SITE_PROGRAM_UUIDS_CACHE_KEY_TPL.format(domain=site.domain), uuid)
        self._add_to_cached_list(
            catalog_cache.PROGRAMS_BY_TYPE_CACHE_KEY_TPL.format(
                site_id=site.id, program_type=normalize_program_type(program_type)
            ),
            uuid,
        )
        self._add_to_cached_list(catalog_cache.PROGRAMS_BY_ORGANIZATION_CACHE_KEY_TPL.format(org_key=org), uuid)
        for course_key in {key for keys in curricula.values() for key in keys}:
            self._add_to_cached_list(
                catalog_cache.COURSE_PROGRAMS_CACHE_KEY_TPL.format(course_run_id=str(course_key)), uuid
            )

    def make_identity_provider(self, org):
        """The organisation and its enabled SAML provider (slug: the org in lower case)."""
        organization, _created = Organization.objects.get_or_create(short_name=org, defaults={"name": org})
        SAMLProviderConfig.objects.get_or_create(organization=organization, slug=org.lower())

    def make_open_response_block(self, course_key, usage_key, parent, *, display_name="", staff_step=False):
        """An ``OpenAssessmentBlock`` stand-in: peer and self steps, then a staff step if asked."""
        steps = ["peer-assessment", "self-assessment"] + (["staff-assessment"] if staff_step else [])
        modulestore().add(
            StandInBlock(location=usage_key, display_name=display_name, parent=parent, assessment_steps=steps)
        )

    def make_open_response(
        self, course_key, usage_key, user_id, *, status, submitted_at, answer_text="", files=(), points=None
    ):
        """
        As ORA2 records a response: edx-submissions' ``create_submission`` for the learner's course anonymous id
        with ORA2's answer shape (its text parts, then its files' keys, descriptions, names and sizes), the
        ``AssessmentWorkflow`` at ``status`` and ``set_score``. Files are uploaded as a browser does: a PUT to
        the URL ORA2's ``get_upload_url`` hands out.
        """
        student_item = {
            "student_id": anonymous_id_for_user(User.objects.get(pk=user_id), course_key),
            "course_id": str(course_key),
            "item_id": str(usage_key),
            "item_type": "openassessment",
        }
        answer = {"parts": [{"text": answer_text}]}
        if files:
            keys = [get_student_file_key(student_item, index) for index in range(len(files))]
            answer.update(
                file_keys=keys,
                files_descriptions=[attached.description for attached in files],
                files_names=[attached.name for attached in files],
                files_sizes=[len(attached.content or b"") for attached in files],
            )
            for key, attached in zip(keys, files, strict=True):
                if attached.content is not None:
                    content_type = "application/octet-stream"
                    uploaded = Client().put(get_upload_url(key, content_type), attached.content, content_type)
                    assert uploaded.status_code == 200, uploaded
        submission = create_submission(student_item, answer, submitted_at)
        AssessmentWorkflow.objects.create(
            submission_uuid=submission["uuid"], status=status, course_id=str(course_key), item_id=str(usage_key)
        )
        if points is not None:
            set_score(submission["uuid"], *points)
        return str(submission["uuid"])
