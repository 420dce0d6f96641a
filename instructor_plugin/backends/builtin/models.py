"""
Tables of the built-in backend: the host data a standalone instructor dashboard needs.

An LMS keeps these in its own apps (modulestore, student, django_comment_common...);
the built-in backend keeps a compact equivalent so the plugin runs on its own.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField

from ..key_columns import CourseKeyColumn, UsageKeyColumn

User = settings.AUTH_USER_MODEL


class Course(models.Model):
    """A course run with the settings the dashboard reads."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    enrollment_start = models.DateTimeField(null=True, blank=True)
    enrollment_end = models.DateTimeField(null=True, blank=True)
    self_paced = models.BooleanField(default=False)
    grading_policy = models.JSONField(default=dict, blank=True)
    enable_proctored_exams = models.BooleanField(default=False)
    enable_timed_exams = models.BooleanField(default=False)
    proctoring_provider = models.CharField(max_length=64, blank=True, default="")
    proctoring_escalation_email = models.EmailField(blank=True, default="")
    create_zendesk_tickets = models.BooleanField(default=False)
    enable_ccx = models.BooleanField(default=False)
    teams_enabled = models.BooleanField(default=False)
    certificate_generation_enabled = models.BooleanField(default=True)
    # The enrollment API's course rules: invitation only, and a capacity (none when null).
    invitation_only = models.BooleanField(default=False)
    max_student_enrollments_allowed = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return str(self.course_key)


class Block(models.Model):
    """One block of a course's content tree, kept in tree order by ``position``."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="blocks")
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    block_type = models.CharField(max_length=64)
    display_name = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)
    graded = models.BooleanField(default=False)
    assignment_type = models.CharField(max_length=64, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    weight = models.FloatField(null=True, blank=True)
    has_score = models.BooleanField(default=False)
    data = models.TextField(blank=True, default="", help_text="The block's definition: a problem's OLX.")

    class Meta:
        ordering = ("course", "position")
        indexes = [models.Index(fields=("course", "block_type"))]

    def __str__(self):
        return str(self.usage_key)


class SurveyAnswer(models.Model):
    """A learner's answer to one field of a course survey form (Open edX's ``SurveyAnswer``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_survey_answers")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    form_name = models.CharField(max_length=255)
    field_name = models.CharField(max_length=255)
    field_value = models.CharField(max_length=1024)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("user", "course_key", "form_name", "field_name"), name="ipb_unique_survey_answer"
            )
        ]
        indexes = [models.Index(fields=("course_key", "user"), name="ipb_survey_answer_course")]

    def __str__(self):
        return f"{self.user_id} in {self.course_key}: {self.field_name}"


class UserProfile(models.Model):
    """Profile fields an LMS keeps beside ``auth.User``."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="builtin_profile")
    name = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=255, blank=True)
    year_of_birth = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=8, blank=True)
    level_of_education = models.CharField(max_length=8, blank=True)
    goals = models.TextField(blank=True)

    def __str__(self):
        return self.name or str(self.user_id)


class CourseMode(models.Model):
    """An enrollment track offered by a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modes")
    slug = models.CharField(max_length=100)
    display_name = models.CharField(max_length=255)
    # The enrollment API's mode details: price, expiry, description and e-commerce SKUs.
    min_price = models.PositiveIntegerField(default=0)
    suggested_prices = models.CharField(max_length=255, blank=True, default="", help_text="Comma-separated prices.")
    currency = models.CharField(max_length=8, default="usd")
    expiration_datetime = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    sku = models.CharField(max_length=255, blank=True, default="")
    bulk_sku = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course", "slug"), name="ipb_unique_course_mode")]

    def __str__(self):
        return f"{self.course_id}:{self.slug}"


#: The index of a course's enrollments by learner, which streams of them read in order.
ENROLLMENT_KEYSET = "ipb_unique_enrollment"


class CourseEnrollment(models.Model):
    """A user's enrollment in a course; unenrolling deactivates it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_enrollments")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    mode = models.CharField(max_length=100, default="audit")
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    #: The user's username, copied by database triggers (migration ``0011_enrollment_username``) whenever
    #: the enrollment is written or the user renamed: the enrollments list sorts on it within the index.
    #: Nullable so that adding it is an ``ALTER TABLE`` on SQLite, not a rebuild that would drop the triggers.
    username = models.CharField(max_length=150, null=True, editable=False)  # noqa: DJ001 (set by trigger)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name=ENROLLMENT_KEYSET)]
        indexes = [
            models.Index(fields=("course_key", "is_active", "mode"), name="ipb_enrollment_course_active"),
            models.Index(fields=("course_key", "is_active", "username"), name="ipb_enrollment_username"),
            # The enrollment API's admin list, newest first: of every course, and of one course.
            models.Index(fields=("created", "id"), name="ipb_enrollment_newest"),
            models.Index(fields=("course_key", "created", "id"), name="ipb_enrollment_course_newest"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.course_key}"


class CourseEnrollmentAttribute(models.Model):
    """A namespaced name and value attached to one enrollment (``credit:provider_id`` ...)."""

    enrollment = models.ForeignKey(CourseEnrollment, on_delete=models.CASCADE, related_name="attributes")
    namespace = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("enrollment", "namespace", "name"), name="ipb_unique_enrollment_attr"),
        ]

    def __str__(self):
        return f"{self.namespace}:{self.name} of {self.enrollment_id}"


class CourseEnrollmentAllowed(models.Model):
    """An email (stored lower-cased) allowed to enroll before it has an enrolled account."""

    email = models.EmailField()
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    auto_enroll = models.BooleanField(default=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course_key", "email"), name="ipb_unique_allowed_email"),
        ]

    def __str__(self):
        return f"{self.email} allowed in {self.course_key}"


class ManualEnrollmentAudit(models.Model):
    """Who changed whose enrollment, when, how and why."""

    enrolled_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_email = models.CharField(max_length=255, db_index=True)
    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    state_transition = models.CharField(max_length=255)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.enrolled_email}: {self.state_transition}"


class CourseAccessRole(models.Model):
    """A course role held in one course, or in every course of an org when ``course_key`` is empty."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_course_roles")
    org = models.CharField(max_length=255, db_index=True)
    course_key = CourseKeyField(max_length=255, blank=True)
    role = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "org", "course_key", "role"), name="ipb_unique_access_role"),
        ]
        indexes = [models.Index(fields=("course_key", "role", "user"), name="ipb_access_role_course")]

    def __str__(self):
        return f"{self.user_id} {self.role} in {self.course_key or self.org}"


class ForumRole(models.Model):
    """A discussion-forum role held in one course."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_forum_roles")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    role = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course_key", "role", "user"), name="ipb_unique_forum_role"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.role} in {self.course_key}"


class ProblemState(models.Model):
    """A learner's state on one problem: attempts, score and the saved answers (Open edX's StudentModule)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_problem_states")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    attempts = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    state = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("usage_key", "user"), name="ipb_unique_problem_state"),
        ]
        # The reports' keyset streams (a course's states by learner, then problem) read this index in order.
        indexes = [models.Index(fields=("course_key", "user", "usage_key"), name="ipb_problem_state_keyset")]

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}"


class CourseGrade(models.Model):
    """A learner's persisted course grade, recomputed whenever one of their scores changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_course_grades")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    percent = models.FloatField(default=0)
    letter_grade = models.CharField(max_length=64, blank=True)
    passed = models.BooleanField(default=False)
    breakdown = models.JSONField(default=dict, blank=True, help_text="Assignment type -> percent.")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_course_grade")]

    def __str__(self):
        return f"{self.user_id} in {self.course_key}: {self.percent:.2f}"


class GeneratedCertificate(models.Model):
    """A learner's certificate in a course, with its Open edX status and mode."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_certificates")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    status = models.CharField(max_length=32)
    mode = models.CharField(max_length=32)
    grade = models.CharField(max_length=8, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    #: The user's username, copied by database triggers (migration ``0019_list_sort_columns``) whenever the
    #: certificate is written or the user renamed: the issued-certificates list sorts on it within the index.
    username = models.CharField(max_length=150, null=True, editable=False)  # noqa: DJ001 (set by trigger)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_certificate")]
        indexes = [
            models.Index(fields=("course_key", "status", "username"), name="ipb_certificate_status_name"),
            models.Index(fields=("course_key", "username"), name="ipb_certificate_username"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.course_key}: {self.status}"


class OpenResponseSubmission(models.Model):
    """A learner's response to an open-response assessment, where it stands in the workflow, and its files."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_ora_submissions")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    submission_uuid = models.UUIDField(unique=True)
    status = models.CharField(max_length=16, help_text="training, peer, self, waiting, staff, done or cancelled.")
    answer_text = models.TextField(blank=True)
    files = models.JSONField(default=list, blank=True, help_text='[{"name", "path", "description"}] in storage.')
    points_earned = models.FloatField(null=True, blank=True)
    points_possible = models.FloatField(null=True, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=("course_key", "usage_key", "status"), name="ipb_ora_submission_block"),
            # The ORA data report's order: block by block, by submission time.
            models.Index(fields=("course_key", "usage_key", "submitted_at", "id"), name="ipb_ora_submission_time"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}: {self.status}"


class DueDateOverride(models.Model):
    """A learner's personal due date on one dated block, the one in force (edx-when's user date)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_due_date_overrides")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    due = models.DateTimeField()
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("usage_key", "user"), name="ipb_unique_due_date_override")]
        indexes = [models.Index(fields=("course_key", "user"), name="ipb_due_override_learner")]

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}: {self.due}"


class DueDateChange(models.Model):
    """Every change of a personal due date: who made it, when and why (a reset has no date)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    due = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}: {self.due or 'reset'}"


class CertificateAllowlistEntry(models.Model):
    """A learner granted a certificate exception in a course, with the notes of whoever granted it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_certificate_exceptions")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_cert_exception")]

    def __str__(self):
        return f"{self.user_id} allowlisted in {self.course_key}"


class CertificateInvalidation(models.Model):
    """An invalidation of a certificate: who, when and why; ``active`` is False once it is lifted."""

    certificate = models.ForeignKey(GeneratedCertificate, on_delete=models.CASCADE, related_name="invalidations")
    invalidated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=("certificate", "active"), name="ipb_cert_invalidation_active")]

    def __str__(self):
        return f"invalidation of {self.certificate_id} ({'active' if self.active else 'lifted'})"


class CertificateGenerationRun(models.Model):
    """One (re)generation of a course's certificates: by whom, for which candidates, through which task."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    generated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_regeneration = models.BooleanField(default=False)
    candidates = models.CharField(max_length=255, help_text="Who was generated for, in words.")
    task_id = models.UUIDField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{'re' if self.is_regeneration else ''}generation in {self.course_key}"


class SpecialExam(models.Model):
    """A timed, proctored or practice exam on one subsection of a course (edx-proctoring's exam)."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    content_id: UsageKeyColumn = UsageKeyField(max_length=255, help_text="The exam's subsection.")
    exam_name = models.CharField(max_length=255)
    time_limit_mins = models.PositiveIntegerField(null=True, blank=True)
    is_proctored = models.BooleanField(default=False)
    is_practice_exam = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    hide_after_due = models.BooleanField(default=False)
    due_date = models.DateTimeField(null=True, blank=True)
    backend = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "content_id"), name="ipb_unique_special_exam")]

    def __str__(self):
        return self.exam_name


class ExamAttempt(models.Model):
    """A learner's attempt at a special exam."""

    exam = models.ForeignKey(SpecialExam, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_exam_attempts")
    status = models.CharField(max_length=32)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    allowed_time_limit_mins = models.PositiveIntegerField(null=True, blank=True)
    ready_to_resume = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    #: The exam's course and the user's lowercased username, copied by database triggers (migration
    #: ``0019_list_sort_columns``) whenever the attempt is written, the user renamed or the exam moved:
    #: the course's attempts list filters and sorts on them within one index.
    course_key = CourseKeyField(max_length=255, null=True, editable=False)
    username_lower = models.CharField(max_length=150, null=True, editable=False)  # noqa: DJ001 (set by trigger)

    class Meta:
        indexes = [
            models.Index(fields=("exam", "user"), name="ipb_exam_attempt_learner"),
            models.Index(fields=("course_key", "username_lower", "id"), name="ipb_exam_attempt_course_order"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.exam_id}: {self.status}"


class ExamAllowance(models.Model):
    """An allowance a learner holds on a special exam; one per learner and exam."""

    exam = models.ForeignKey(SpecialExam, on_delete=models.CASCADE, related_name="allowances")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_exam_allowances")
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=255)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("exam", "user"), name="ipb_unique_exam_allowance")]

    def __str__(self):
        return f"{self.user_id} on {self.exam_id}: {self.key}={self.value}"


class BlockCompletion(models.Model):
    """How far a learner completed one block, from 0 to 1 (Open edX's completion)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_completions")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    completion = models.FloatField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("usage_key", "user"), name="ipb_unique_block_completion")]
        indexes = [models.Index(fields=("course_key", "user"), name="ipb_completion_learner")]

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}: {self.completion:g}"


class Cohort(models.Model):
    """A cohort of a course (a group of learners)."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    name = models.CharField(max_length=255)
    assignment_type = models.CharField(max_length=16, default="manual", help_text="manual or random.")
    group_id = models.IntegerField(null=True, blank=True, help_text="The linked content group, if any.")
    user_partition_id = models.IntegerField(null=True, blank=True, help_text="The content group's partition.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "name"), name="ipb_unique_cohort_name")]

    def __str__(self):
        return self.name


class CohortMembership(models.Model):
    """A learner's cohort in a course: at most one per course."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_cohort_memberships")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    #: The user's username, copied by database triggers (migration ``0019_list_sort_columns``) whenever the
    #: membership is written or the user renamed: a cohort's member list sorts on it within the index.
    username = models.CharField(max_length=150, null=True, editable=False)  # noqa: DJ001 (set by trigger)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_cohort_member")]
        indexes = [models.Index(fields=("course_key", "cohort", "username"), name="ipb_cohort_member_username")]

    def __str__(self):
        return f"{self.user_id} in {self.cohort_id}"


class CohortMemberCount(models.Model):
    """
    A cohort's members: all of them, and those actively enrolled in its course; kept by database triggers.

    Every insert, update and delete of a membership or an enrollment, whatever writes it (the backend,
    ``bulk_create``, a queryset ``update``, a cascade), moves these counts in the same transaction, so the
    cohorts list, a cohort and its member list read one row instead of counting the members. A cohort
    without members may have no row (its counts are zero). See migration ``0023_cohort_member_counts``.
    """

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, primary_key=True, related_name="member_count")
    members = models.IntegerField(default=0)
    enrolled = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.members} in {self.cohort_id} ({self.enrolled} enrolled)"


class CohortSettings(models.Model):
    """Whether a course divides its learners into cohorts (without a row: whether it has any cohort)."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, unique=True)
    is_cohorted = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "cohort settings"

    def __str__(self):
        return f"{self.course_key}: {'cohorted' if self.is_cohorted else 'not cohorted'}"


class CohortPreassignment(models.Model):
    """An email, of no user yet, put in a cohort: whoever registers with it joins the cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="preassignments")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    email = models.EmailField(max_length=254)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "email"), name="ipb_unique_cohort_preassign")]

    def __str__(self):
        return f"{self.email} in {self.cohort_id}"


class ContentGroup(models.Model):
    """
    A content group of a course: a group of its cohort user partition (Studio's "Content Groups").

    A course has at most one such partition, named by ``partition_id``; cohorts link to its groups.
    """

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    partition_id = models.IntegerField(help_text="The course's cohort user partition.")
    group_id = models.IntegerField()
    name = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course_key", "partition_id", "group_id"), name="ipb_unique_content_group")
        ]

    def __str__(self):
        return f"{self.name} ({self.partition_id}/{self.group_id})"


class UserOrgPreference(models.Model):
    """A user's preference for an organization, such as ``email-optin`` (Open edX's ``UserOrgTag``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_org_preferences")
    org = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    value = models.TextField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "org", "key"), name="ipb_unique_org_preference")]

    def __str__(self):
        return f"{self.user_id} {self.org} {self.key}={self.value}"


class CourseEmailOptout(models.Model):
    """A learner who asked not to receive course email from a course."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_email_optouts")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_email_optout")]

    def __str__(self):
        return f"{self.user_id} opted out of {self.course_key}"


class SubsectionGradeOverride(models.Model):
    """
    The override of a learner's computed grade on a graded subsection (Open edX's PersistentSubsectionGradeOverride).

    At most one per learner and subsection; every change adds a :class:`SubsectionGradeOverrideHistory` row.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_grade_overrides")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    earned_all_override = models.FloatField(null=True, blank=True)
    possible_all_override = models.FloatField(null=True, blank=True)
    earned_graded_override = models.FloatField(null=True, blank=True)
    possible_graded_override = models.FloatField(null=True, blank=True)
    system = models.CharField(max_length=100, blank=True, help_text="The feature that wrote it, e.g. GRADEBOOK.")
    override_reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("usage_key", "user"), name="ipb_unique_grade_override")]
        indexes = [models.Index(fields=("course_key", "user"), name="ipb_grade_override_learner")]

    def __str__(self):
        return f"{self.user_id} on {self.usage_key}"


class SubsectionGradeOverrideHistory(models.Model):
    """One change of an override: the values it took, who made it (None for a system), when and why."""

    override = models.ForeignKey(SubsectionGradeOverride, on_delete=models.CASCADE, related_name="history")
    earned_all_override = models.FloatField(null=True, blank=True)
    possible_all_override = models.FloatField(null=True, blank=True)
    earned_graded_override = models.FloatField(null=True, blank=True)
    possible_graded_override = models.FloatField(null=True, blank=True)
    system = models.CharField(max_length=100, blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    history_type = models.CharField(max_length=1, help_text="+ created, ~ changed.")
    history_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history_date = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=("override", "history_date"), name="ipb_grade_override_history")]

    def __str__(self):
        return f"{self.history_type} {self.override_id} at {self.history_date}"


# Counts kept as data changes (issue 16) ---------------------------------------------------------------


class EnrollmentCount(models.Model):
    """
    Active enrollments of one course in one mode, kept by database triggers on ``CourseEnrollment``.

    Every insert, update and delete of an enrollment, whatever writes it (the backend, ``bulk_create``,
    a queryset ``update``, a cascade), moves these counts in the same transaction, so course metadata
    and the enrollments list read a few rows instead of counting every enrollment.
    See migration ``0010_list_indexes_and_counts`` for the triggers of SQLite, PostgreSQL and MySQL.
    """

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    mode = models.CharField(max_length=100)
    active = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "mode"), name="ipb_unique_enrollment_count")]

    def __str__(self):
        return f"{self.active} {self.mode} in {self.course_key}"


class CertificateCount(models.Model):
    """
    Certificates of one course in one status and mode, kept by database triggers on ``GeneratedCertificate``.

    Like :class:`EnrollmentCount`, every write of a certificate moves these counts in its transaction, so
    the issued-certificates list totals a status filter from a few rows instead of counting the course.
    See migration ``0021_certificate_counts`` for the triggers of SQLite, PostgreSQL and MySQL.
    """

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    status = models.CharField(max_length=32)
    mode = models.CharField(max_length=32)
    certificates = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course_key", "status", "mode"), name="ipb_unique_certificate_count")
        ]

    def __str__(self):
        return f"{self.certificates} {self.status} {self.mode} in {self.course_key}"


class ExamAttemptCount(models.Model):
    """
    The attempts at one special exam, kept by database triggers on ``ExamAttempt``.

    Whatever writes an attempt (the backend, ``bulk_create``, a queryset ``update`` moving it to another
    exam, a cascade) moves this count in the same transaction, so the attempts list sums a course's few
    exams instead of counting every attempt. Keyed by exam, it follows the exam when the exam moves to
    another course. See migration ``0022_exam_attempt_counts`` for the triggers of each database.
    """

    exam = models.OneToOneField(
        SpecialExam, on_delete=models.CASCADE, primary_key=True, related_name="attempt_count", editable=False
    )
    attempts = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.attempts} attempts at {self.exam_id}"


class OpenResponseCount(models.Model):
    """
    The submissions of one open-response block in one workflow status, kept by database triggers on
    ``OpenResponseSubmission``.

    Like :class:`EnrollmentCount`, every write of a submission moves these counts in its transaction, so
    the assessments list and the ORA summary read a few rows per block instead of counting every response.
    See migration ``0025_ora_submission_order_and_counts`` for the triggers of SQLite, PostgreSQL and MySQL.
    """

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255)
    status = models.CharField(max_length=16)
    submissions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("course_key", "usage_key", "status"), name="ipb_unique_ora_count")
        ]

    def __str__(self):
        return f"{self.submissions} {self.status} on {self.usage_key}"


class UserSearchText(models.Model):
    """
    The text the lists' ``search`` looks in, one row per user, written by database triggers only.

    ``account`` is the username and email, ``all_fields`` those and the first, last and profile names,
    joined by newlines. A search term without a newline is contained (ignoring case) in one of the
    columns exactly when it is contained in their joined text, so a search reads one column of one
    table instead of five columns of a three-table join. The triggers of migration
    ``0018_user_search_text`` rewrite a user's row whenever the user or their profile is written.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="builtin_search_text")
    account = models.TextField()
    all_fields = models.TextField()

    def __str__(self):
        return str(self.user_id)


# Programs and program enrollments (issue 12, seed 004) ------------------------------------------------


class Program(models.Model):
    """A program of the catalog (an LMS caches these from Discovery): a degree track made of course runs."""

    uuid = models.UUIDField(unique=True)
    title = models.CharField(max_length=255)
    marketing_slug = models.SlugField(max_length=255, blank=True)
    program_type = models.CharField(max_length=64, default="masters")
    org = models.CharField(max_length=255, help_text="The authoring organisation's short name.")

    def __str__(self):
        return self.title


class Curriculum(models.Model):
    """One curriculum of a program: the course runs its learners take."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="curricula")
    uuid = models.UUIDField(unique=True)
    name = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.name or str(self.uuid)


class CurriculumCourse(models.Model):
    """A course run of a curriculum."""

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="courses")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("curriculum", "position")
        constraints = [
            models.UniqueConstraint(fields=("curriculum", "course_key"), name="ipb_unique_curriculum_course")
        ]
        indexes = [models.Index(fields=("course_key",), name="ipb_curriculum_course_key")]

    def __str__(self):
        return f"{self.course_key} in {self.curriculum_id}"


class ProgramAdmin(models.Model):
    """A user who administers a program's enrollments (Open edX leaves this to the Registrar service)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="admins")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_program_admin_roles")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("program", "user"), name="ipb_unique_program_admin")]

    def __str__(self):
        return f"{self.user_id} administers {self.program_id}"


class ExternalUserKey(models.Model):
    """An organisation's key for a learner (its student id), linked to the learner's account."""

    org = models.CharField(max_length=255)
    external_user_key = models.CharField(max_length=255)
    #: ``external_user_key`` lower-cased: keys are compared case-insensitively.
    key_lower = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_external_keys")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("org", "key_lower"), name="ipb_unique_external_key")]

    def __str__(self):
        return f"{self.org}:{self.external_user_key}"

    def save(self, *args, **kwargs):
        self.key_lower = self.external_user_key.lower()
        super().save(*args, **kwargs)


class ProgramEnrollment(models.Model):
    """A learner's enrollment in a program by external key; ``user`` is null until their account is linked."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="builtin_program_enrollments"
    )
    external_user_key = models.CharField(max_length=255)
    key_lower = models.CharField(max_length=255)
    status = models.CharField(max_length=9)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("program", "key_lower"), name="ipb_unique_program_enrollment_key")
        ]
        indexes = [models.Index(fields=("key_lower",), name="ipb_program_enrollment_key")]

    def __str__(self):
        return f"{self.external_user_key} in {self.program_id}: {self.status}"

    def save(self, *args, **kwargs):
        self.key_lower = self.external_user_key.lower()
        super().save(*args, **kwargs)


class ProgramCourseEnrollment(models.Model):
    """A program learner's enrollment in a course run of the program (``active`` or ``inactive``)."""

    program_enrollment = models.ForeignKey(
        ProgramEnrollment, on_delete=models.CASCADE, related_name="course_enrollments"
    )
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    status = models.CharField(max_length=9)
    #: The course staff role asked for (null: never asked); granted once the account is linked.
    course_staff = models.BooleanField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("program_enrollment", "course_key"), name="ipb_unique_program_course_enrollment"
            )
        ]
        indexes = [models.Index(fields=("course_key", "program_enrollment"), name="ipb_program_course_key")]

    def __str__(self):
        return f"{self.program_enrollment_id} in {self.course_key}: {self.status}"


class ProgramEnrollmentHistory(models.Model):
    """One change of a program enrollment or of a program-course enrollment: the status then, who, when."""

    program_enrollment = models.ForeignKey(
        ProgramEnrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    program_course_enrollment = models.ForeignKey(
        ProgramCourseEnrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    status = models.CharField(max_length=9)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history_type = models.CharField(max_length=1, help_text="+ created, ~ changed.")
    history_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history_date = models.DateTimeField()

    def __str__(self):
        return f"{self.history_type} {self.status} at {self.history_date}"


class EntranceExam(models.Model):
    """
    The section of a course learners must pass before the rest (Open edX keeps it on the course:
    ``entrance_exam_id`` and ``entrance_exam_minimum_score_pct``).
    """

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="entrance_exam")
    usage_key: UsageKeyColumn = UsageKeyField(max_length=255, help_text="The exam's section (chapter).")
    minimum_score_pct = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="The share of the section's points that passes, from 0 to 1.",
    )

    def __str__(self):
        return str(self.usage_key)


class EntranceExamSkip(models.Model):
    """A learner allowed to skip a course's entrance exam (Open edX's ``EntranceExamConfiguration``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_entrance_exam_skips")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("course_key", "user"), name="ipb_unique_entrance_exam_skip")]

    def __str__(self):
        return f"{self.user_id} may skip the entrance exam of {self.course_key}"


# --- The enrollment API's gates: embargo, enterprise linking, retirement ---


class RestrictedCourse(models.Model):
    """A course whose enrollment depends on the learner's country (Open edX's embargo ``RestrictedCourse``)."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, unique=True)
    #: Which blocked-enrollment message the learner is sent to (``/embargo/blocked-message/enrollment/<key>/``).
    enroll_msg_key = models.CharField(max_length=255, default="default")

    def __str__(self):
        return f"{self.course_key} (restricted)"


class CountryAccessRule(models.Model):
    """
    One country of a restricted course's rules: ``blacklist`` blocks it; once any ``whitelist`` rule
    exists, only the whitelisted countries may enroll (Open edX's embargo ``CountryAccessRule``).
    """

    BLACKLIST = "blacklist"
    WHITELIST = "whitelist"

    restricted_course = models.ForeignKey(RestrictedCourse, on_delete=models.CASCADE, related_name="country_rules")
    #: ISO 3166-1 alpha-2, upper case.
    country = models.CharField(max_length=2)
    rule_type = models.CharField(max_length=16, choices=[(BLACKLIST, BLACKLIST), (WHITELIST, WHITELIST)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("restricted_course", "country"), name="ipb_unique_country_access_rule")
        ]

    def __str__(self):
        return f"{self.restricted_course.course_key} {self.rule_type} {self.country}"


class EnterpriseCustomerUser(models.Model):
    """A learner of an enterprise customer (edx-enterprise's ``EnterpriseCustomerUser``)."""

    enterprise_customer_uuid = models.UUIDField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_enterprise_customer_users")
    #: The customer the learner currently acts for (a learner may belong to several).
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enterprise_customer_uuid", "user"), name="ipb_unique_enterprise_customer_user"
            )
        ]

    def __str__(self):
        return f"{self.user_id} of {self.enterprise_customer_uuid}"


class EnterpriseCourseEnrollment(models.Model):
    """A course enrollment made on behalf of an enterprise customer, with the learner's data-sharing consent."""

    enterprise_customer_user = models.ForeignKey(
        EnterpriseCustomerUser, on_delete=models.CASCADE, related_name="course_enrollments"
    )
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    consent_granted = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enterprise_customer_user", "course_key"), name="ipb_unique_enterprise_course_enrollment"
            )
        ]

    def __str__(self):
        return f"{self.enterprise_customer_user} in {self.course_key}"


class UserRetirementStatus(models.Model):
    """A user's request to be retired and where it stands (Open edX's ``UserRetirementStatus``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="builtin_retirement_statuses")
    original_username = models.CharField(max_length=150, unique=True)
    original_email = models.EmailField()
    #: The retirement pipeline's state name, such as ``PENDING``, ``RETIRING_ENROLLMENTS`` or ``COMPLETE``.
    current_state = models.CharField(max_length=64, default="PENDING")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.original_username}: {self.current_state}"
