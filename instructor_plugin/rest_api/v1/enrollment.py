"""
Legacy enrollment, access and learner-data endpoints, as thin adapters over the domain functions the v2 views use.

Each answers the original's body; errors use the plugin's envelope with the original's status.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ...access import is_forum_role, list_team, resolve_member
from ...backends.data import (
    FORUM_ADMINISTRATOR,
    FORUM_ROLES,
    INSTRUCTOR,
    EnrolledLearner,
    EnrollmentFilter,
    PageRequest,
    TeamMember,
)
from ...batch_enrollment import process_student_enrollment_batch, start_enrollment_batch_task
from ...beta_testers import modify_beta_testers
from ...conf import plugin_setting
from ...course_team import REVOKE, RoleNotManageable, UnknownRole, available_roles, modify_team
from ...enrollment import ensure_enrolled, list_enrolled_learners
from ...exceptions import InstructorError
from ...instructor_tasks import AlreadyRunning
from ...learners import get_learner_summary
from ...permissions import (
    CAN_BETATEST,
    CAN_ENROLL,
    CAN_RESEARCH,
    ENROLLMENT_REPORT,
    MANAGE_COURSE_ROLES,
    MANAGE_COURSE_TEAM,
    VIEW_ENROLLMENTS,
)
from ...registration import register_and_enroll
from ...reports import csv_body, enrolled_students_features, start_report
from ..parsers import LimitedFormParser
from ..schema import InstructorAutoSchema, documented
from ..v2.serializers.tasks import CELERY_STATES
from . import enrollment_schema as openapi
from .base import SUCCESS_MESSAGE_TEMPLATE, IdentifierListField, LegacyAPIView

#: Column titles of the enrolled-learner features, as the legacy dashboard labels them.
FEATURE_NAMES = {
    "id": "User ID",
    "username": "Username",
    "name": "Name",
    "email": "Email",
    "language": "Language",
    "location": "Location",
    "year_of_birth": "Birth Year",
    "gender": "Gender",
    "level_of_education": "Level of Education",
    "mailing_address": "Mailing Address",
    "goals": "Goals",
    "enrollment_mode": "Enrollment Mode",
    "last_login": "Last Login",
    "date_joined": "Date Joined",
    "external_user_key": "External User Key",
    "enrollment_date": "Enrollment Date",
    "cohort": "Cohort",
    "team": "Team",
    "city": "City",
    "country": "Country",
}

#: How many role holders one backend call reads when a legacy list answers them all.
_TEAM_CHUNK = 5_000


class UserDoesNotExist(InstructorError):
    """The identifier names no user (the original's ``{"error": "User does not exist."}``)."""

    error_code = "user_does_not_exist"
    message = "User does not exist."


def _names(member: TeamMember | EnrolledLearner) -> dict[str, str]:
    first, _, last = member.user.full_name.partition(" ")
    return {"username": member.user.username, "email": member.user.email, "first_name": first, "last_name": last}


def _course_role(course, role: str) -> str:
    if is_forum_role(role) or role not in available_roles(course):
        raise UnknownRole([role])
    return role


class StudentsUpdateEnrollmentRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["enroll", "unenroll"])
    identifiers = IdentifierListField(help_text="Usernames or emails, separated by commas, spaces or line breaks.")
    auto_enroll = serializers.BooleanField(default=False)
    email_students = serializers.BooleanField(default=False)
    async_processing = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class StudentsUpdateEnrollmentView(LegacyAPIView):
    """
    Enroll or unenroll learners (the v2 ``enrollments/modify`` rules and rows).

    ``POST .../instructor/api/students_update_enrollment`` ``identifiers=learner1,new@example.com&action=enroll
    &auto_enroll=true&email_students=false&reason=Late`` -> ``200 {"action": "enroll", "auto_enroll": true,
    "results": [{"identifier": "learner1", "before": {...}, "after": {...}, "success": true,
    "state_transition": "from unenrolled to enrolled"}]}``. With ``async_processing=true`` (or a list longer
    than ``MAX_SYNC_ENROLLMENT_IDENTIFIERS``) -> ``200 {"action", "auto_enroll", "async_processing": true,
    "task_id", "task_state": "PENDING", "message", "total_students"}``.
    """

    schema = InstructorAutoSchema()
    permission_name = CAN_ENROLL

    @documented(
        request=StudentsUpdateEnrollmentRequestSerializer, responses={200: openapi.LegacyEnrollmentUpdateSerializer}
    )
    def post(self, request, course_id):
        body = StudentsUpdateEnrollmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        identifiers = data["identifiers"]
        options = {
            "auto_enroll": data["auto_enroll"],
            "email_students": data["email_students"],
            "reason": data["reason"],
            "secure": request.is_secure(),
        }
        if data["async_processing"] or len(identifiers) > plugin_setting("MAX_SYNC_ENROLLMENT_IDENTIFIERS"):
            return Response(self._start_task(request, data["action"], identifiers, options))
        with transaction.atomic():
            outcome = process_student_enrollment_batch(
                request.user, self.course_key, data["action"], identifiers, **options
            )
        return Response(
            {"action": outcome["action"], "auto_enroll": outcome["auto_enroll"], "results": outcome["results"]}
        )

    def _start_task(self, request, action: str, identifiers: list[str], options: dict) -> dict:
        head = {"action": action, "auto_enroll": options["auto_enroll"], "async_processing": True}
        try:
            task = start_enrollment_batch_task(request.user, self.course_key, action, identifiers, **options)
        except AlreadyRunning:
            return {
                **head,
                "error": "A similar enrollment task is already running. Please wait for it to complete.",
                "total_students": len(identifiers),
            }
        return {
            **head,
            "task_id": str(task.task_id),
            "task_state": CELERY_STATES[task.state],
            "message": f"Async {action} task submitted for {len(identifiers)} students",
            "total_students": len(identifiers),
        }


class BulkBetaModifyAccessRequestSerializer(serializers.Serializer):
    identifiers = IdentifierListField(help_text="Usernames or emails, separated by commas, spaces or line breaks.")
    action = serializers.ChoiceField(choices=["add", "remove"])
    email_students = serializers.BooleanField(default=False)
    auto_enroll = serializers.BooleanField(default=False)


class BulkBetaModifyAccessView(LegacyAPIView):
    """
    Add or remove beta testers (the v2 ``beta_testers/modify`` rules).

    ``POST .../instructor/api/bulk_beta_modify_access`` ``identifiers=learner2,nobody&action=add&auto_enroll=true``
    -> ``200 {"action": "add", "results": [{"identifier": "learner2", "error": false, "userDoesNotExist": false,
    "is_active": true}, {"identifier": "nobody", "error": true, "userDoesNotExist": true, "is_active": null}]}``
    """

    schema = InstructorAutoSchema()
    permission_name = CAN_BETATEST

    @documented(
        request=BulkBetaModifyAccessRequestSerializer, responses={200: openapi.LegacyBetaTestersUpdateSerializer}
    )
    def post(self, request, course_id):
        body = BulkBetaModifyAccessRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rows = modify_beta_testers(
            self.course_key,
            data["identifiers"],
            data["action"],
            email_students=data["email_students"],
            auto_enroll=data["auto_enroll"],
            secure=request.is_secure(),
            actor_id=request.user.pk,
        )
        results = [
            {
                "identifier": row["identifier"],
                "error": row["error"],
                "userDoesNotExist": row["user_does_not_exist"],
                "is_active": row["is_active"],
            }
            for row in rows
        ]
        return Response({"action": data["action"], "results": results})


class ModifyAccessRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(max_length=255)
    rolename = serializers.CharField(max_length=64)
    action = serializers.ChoiceField(choices=["allow", "revoke"])


class ModifyAccessView(LegacyAPIView):
    """
    Grant or revoke one course role (``instructor``, ``staff``, ``limited_staff``, ``beta``, ``data_researcher``...).

    ``POST .../instructor/api/modify_access`` ``unique_student_identifier=ann&rolename=staff&action=allow`` ->
    ``200 {"unique_student_identifier": "ann", "rolename": "staff", "action": "allow", "success": "yes"}``;
    an unknown user ``200 {"unique_student_identifier": "x", "userDoesNotExist": true}``, an inactive one
    ``{..., "inactiveUser": true}``, revoking one's own instructor role ``{..., "removingSelfAsInstructor": true}``;
    an unknown role is a 400.
    """

    schema = InstructorAutoSchema()
    permission_name = MANAGE_COURSE_ROLES

    @documented(request=ModifyAccessRequestSerializer, responses={200: openapi.ModifyAccessOutcomeSerializer})
    def post(self, request, course_id):
        body = ModifyAccessRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifier = body.validated_data["unique_student_identifier"]
        action = body.validated_data["action"]
        user, found = resolve_member(identifier)
        if user is None:
            if found["user_does_not_exist"]:
                return Response({"unique_student_identifier": identifier, "userDoesNotExist": True})
            raise InstructorError(identifier, message=found["error_message"])
        if not user.is_active:
            return Response({"unique_student_identifier": user.username, "inactiveUser": True})
        role = _course_role(self.course, body.validated_data["rolename"])
        outcome = {"unique_student_identifier": user.username, "rolename": role, "action": action}
        if role == INSTRUCTOR and action == REVOKE and user.id == request.user.pk:
            return Response({**outcome, "removingSelfAsInstructor": True})
        (row,) = modify_team(self.course_key, request.user.pk, [user.username], role, action)
        if row["error"]:
            raise InstructorError(identifier, message=row["error_message"])
        return Response({**outcome, "success": "yes"})


class ListCourseRoleMembersRequestSerializer(serializers.Serializer):
    rolename = serializers.CharField(max_length=64)
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class ListCourseRoleMembersView(LegacyAPIView):
    """
    The holders of one course role, ordered by username, a page at a time.

    ``POST .../instructor/api/list_course_role_members`` ``rolename=staff&search=ann&page=1&page_size=20`` ->
    ``200 {"course_id": "course-v1:...", "staff": [{"username": "ann", "email": "ann@example.com",
    "first_name": "Ann", "last_name": "Lee"}], "count": 1, "num_pages": 1, "current_page": 1}``
    """

    schema = InstructorAutoSchema()
    permission_name = MANAGE_COURSE_ROLES

    @documented(request=ListCourseRoleMembersRequestSerializer, responses={200: openapi.ROLE_MEMBERS_PAGE})
    def post(self, request, course_id):
        body = ListCourseRoleMembersRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        role = _course_role(self.course, data["rolename"])
        size = data["page_size"]
        window = PageRequest(offset=(data["page"] - 1) * size, limit=size)
        page = list_team(self.course_key, (role,), data["search"].strip() or None, window)
        return Response(
            {
                "course_id": str(self.course_key),
                role: [_names(member) for member in page.items],
                "count": page.total,
                "num_pages": max(1, -(-page.total // size)),
                "current_page": data["page"],
            }
        )


class UniqueStudentIdentifierSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(max_length=255, help_text="A username or an email.")


class StudentProgressUrlView(LegacyAPIView):
    """
    The learner's progress page.

    ``POST .../instructor/api/get_student_progress_url`` ``unique_student_identifier=learner1`` ->
    ``200 {"course_id": "course-v1:...", "progress_url": "http://apps.local/learning/course/course-v1:.../progress/7/"}``;
    an unknown learner is a 404.
    """

    schema = InstructorAutoSchema()
    permission_name = ENROLLMENT_REPORT

    @documented(request=UniqueStudentIdentifierSerializer, responses={200: openapi.PROGRESS_URL})
    def post(self, request, course_id):
        body = UniqueStudentIdentifierSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        summary = get_learner_summary(self.course_key, body.validated_data["unique_student_identifier"])
        return Response({"course_id": str(self.course_key), "progress_url": summary["progress_url"]})


def _report_started(report_type: str) -> Response:
    return Response({"status": SUCCESS_MESSAGE_TEMPLATE.format(report_type=report_type)})


class GetAnonIdsView(LegacyAPIView):
    """
    Queue the anonymized user ids report (a CSV of ``User ID``, ``Anonymized User ID``, ``Course Specific
    Anonymized User ID``, in the report list when done).

    ``POST .../instructor/api/get_anon_ids`` -> ``200 {"status": "The Anonymized User IDs report is being
    created. To view the status of the report, see Pending Tasks below."}``; one still running is a 400.
    """

    schema = InstructorAutoSchema()
    permission_name = CAN_RESEARCH

    @documented(request=openapi.NO_FIELDS, responses={200: openapi.REPORT_QUEUED})
    def post(self, request, course_id):
        start_report(self.course_key, "anonymized_student_ids", request.user.pk, {})
        return _report_started("Anonymized User IDs")


class GetStudentsFeaturesRequestSerializer(serializers.Serializer):
    csv = serializers.BooleanField(default=False, help_text="Queue the CSV report instead of answering JSON.")


class GetStudentsFeaturesView(LegacyAPIView):
    """
    The profile of every enrolled learner (JSON), or the enrolled-learner profile report (``/csv`` or ``csv=true``).

    ``POST .../instructor/api/get_students_features`` -> ``200 {"course_id": "course-v1:...", "students":
    [{"id": 7, "username": "learner1", ..., "city": "", "country": "FR"}], "students_count": 1,
    "queried_features": ["id", "username", ...], "feature_names": {"id": "User ID", ...},
    "available_features": [...]}``; ``POST .../get_students_features/csv`` -> ``200 {"status": "The enrolled
    learner profile report is being created. ..."}``.
    """

    schema = InstructorAutoSchema()
    permission_name = CAN_RESEARCH

    @documented(request=GetStudentsFeaturesRequestSerializer, responses={200: openapi.STUDENTS_FEATURES_OR_REPORT})
    def post(self, request, course_id):
        body = GetStudentsFeaturesRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["csv"]:
            return self.queue_report(request)
        features = enrolled_students_features(self.course_key)
        table = csv_body("enrolled_students", self.course_key, {"features": features})
        students = [dict(zip(table.header, row, strict=True)) for row in table.rows]
        return Response(
            {
                "course_id": str(self.course_key),
                "students": students,
                "students_count": len(students),
                "queried_features": features,
                "feature_names": {name: FEATURE_NAMES.get(name, name.replace("_", " ").title()) for name in features},
                "available_features": sorted(FEATURE_NAMES),
            }
        )

    def queue_report(self, request) -> Response:
        start_report(self.course_key, "enrolled_students", request.user.pk, {})
        return _report_started("enrolled learner profile")


class GetStudentsFeaturesCsvView(GetStudentsFeaturesView):
    """
    Queue the enrolled-learner profile report, whatever the body.

    ``POST .../instructor/api/get_students_features/csv`` -> ``200 {"status": "The enrolled learner profile report
    is being created. ..."}``; one still running is a 400.
    """

    @documented(request=openapi.NO_FIELDS, responses={200: openapi.REPORT_QUEUED})
    def post(self, request, course_id):
        return self.queue_report(request)


class ForumRoleRequestSerializer(serializers.Serializer):
    rolename = serializers.ChoiceField(choices=list(FORUM_ROLES))


def _check_forum_role(view: LegacyAPIView, role: str) -> None:
    """Only an instructor lists or changes the forum ``Administrator`` role (the original's rule)."""
    if role == FORUM_ADMINISTRATOR and not view.course_access.is_instructor:
        raise RoleNotManageable(role)


class ListForumMembersView(LegacyAPIView):
    """
    The holders of one forum role; an instructor or a discussion admin asks (``Administrator``: an instructor).

    ``POST .../instructor/api/list_forum_members`` ``rolename=Moderator`` -> ``200 {"course_id": "course-v1:...",
    "Moderator": [{"username": "ann", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
    "group_name": null}], "division_scheme": "none"}``
    """

    schema = InstructorAutoSchema()
    permission_name = MANAGE_COURSE_TEAM

    @documented(request=ForumRoleRequestSerializer, responses={200: openapi.FORUM_MEMBERS})
    def post(self, request, course_id):
        body = ForumRoleRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role = body.validated_data["rolename"]
        _check_forum_role(self, role)
        members: list[dict] = []
        while True:
            page = list_team(self.course_key, (role,), None, PageRequest(offset=len(members), limit=_TEAM_CHUNK))
            members.extend({**_names(member), "group_name": None} for member in page.items)
            if not page.items or len(members) >= page.total:
                break
        return Response({"course_id": str(self.course_key), role: members, "division_scheme": "none"})


class UpdateForumRoleMembershipRequestSerializer(ForumRoleRequestSerializer):
    unique_student_identifier = serializers.CharField(max_length=255)
    action = serializers.ChoiceField(choices=["allow", "revoke"])


class UpdateForumRoleMembershipView(LegacyAPIView):
    """
    Grant or revoke a forum role; granting enrolls the user. Only an instructor grants or revokes ``Administrator``.

    ``POST .../instructor/api/update_forum_role_membership``
    ``unique_student_identifier=ann&rolename=Moderator&action=allow`` ->
    ``200 {"course_id": "course-v1:...", "action": "allow"}``; an unknown user is a 400 ``"User does not exist."``.
    """

    schema = InstructorAutoSchema()
    permission_name = MANAGE_COURSE_TEAM

    @documented(request=UpdateForumRoleMembershipRequestSerializer, responses={200: openapi.FORUM_ROLE_CHANGED})
    def post(self, request, course_id):
        body = UpdateForumRoleMembershipRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role, action = body.validated_data["rolename"], body.validated_data["action"]
        _check_forum_role(self, role)
        user, _row = resolve_member(body.validated_data["unique_student_identifier"])
        if user is None:
            raise UserDoesNotExist()
        with transaction.atomic():
            (row,) = modify_team(self.course_key, request.user.pk, [user.username], role, action)
            if row["error"]:
                raise InstructorError(user.username, message=row["error_message"])
            if action == "allow":
                ensure_enrolled(self.course_key, user)
        return Response({"course_id": str(self.course_key), "action": action})


class ListCourseEnrollmentsRequestSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class ListCourseEnrollmentsView(LegacyAPIView):
    """
    The course's actively enrolled learners, ordered by username, a page at a time (the v2 enrollments list).

    ``POST .../instructor/api/list_course_enrollments`` ``search=learner1&page=1&page_size=20`` ->
    ``200 {"course_id": "course-v1:...", "enrollments": [{"username": "learner1", "email": "learner1@example.com",
    "first_name": "Learner", "last_name": "1"}], "count": 1, "num_pages": 1, "current_page": 1}``
    """

    schema = InstructorAutoSchema()
    permission_name = VIEW_ENROLLMENTS

    @documented(request=ListCourseEnrollmentsRequestSerializer, responses={200: openapi.ENROLLMENTS_PAGE})
    def post(self, request, course_id):
        body = ListCourseEnrollmentsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        size = data["page_size"]
        window = PageRequest(offset=(data["page"] - 1) * size, limit=size)
        page = list_enrolled_learners(self.course_key, EnrollmentFilter(search=data["search"].strip() or None), window)
        return Response(
            {
                "course_id": str(self.course_key),
                "enrollments": [_names(learner) for learner in page.items],
                "count": page.total,
                "num_pages": max(1, -(-page.total // size)),
                "current_page": data["page"],
            }
        )


class RegisterAndEnrollStudentsView(LegacyAPIView):
    """
    Create accounts from a CSV (multipart ``students_list``: email, username, full name, country[, cohort,
    course mode]) and enroll them; ``email-students`` present sends the account-creation message.

    ``POST .../instructor/api/register_and_enroll_students`` (``students_list=accounts.csv``) ->
    ``200 {"row_errors": [{"username": "ann", "email": "bad", "response": "Invalid email bad."}],
    "general_errors": [], "warnings": [{"username": "x", "email": "learner1@example.com", "response":
    "An account with email learner1@example.com exists but the provided username x is different. Enrolling
    anyway with learner1@example.com."}]}``; a missing or unreadable file is a ``general_errors`` entry.
    403 when the site does not allow automated signups (``ALLOW_AUTOMATED_SIGNUPS``).
    """

    schema = InstructorAutoSchema()
    permission_name = CAN_ENROLL
    parser_classes = (MultiPartParser, LimitedFormParser)

    @documented(
        request={"multipart/form-data": openapi.REGISTRATION_UPLOAD}, responses={200: openapi.REGISTRATION_OUTCOME}
    )
    def post(self, request, course_id):
        upload = RegistrationUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        outcome = register_and_enroll(
            self.course_key,
            request.user.pk,
            upload.validated_data.get("students_list"),
            notify="email-students" in request.data,
            secure=request.is_secure(),
        )
        return Response(outcome)


class RegistrationUploadSerializer(serializers.Serializer):
    students_list = serializers.FileField(required=False)
