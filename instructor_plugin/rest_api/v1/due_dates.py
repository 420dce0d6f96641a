"""
Legacy due-date extension endpoints, as thin adapters over the due-date functions the v2 views use.

A unit is named by ``url`` (its usage key) and a learner by ``student`` (a username or an email).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.response import Response

from ... import resolve
from ...backends.data import DueDateOverrideData, Page, PageRequest
from ...due_dates import DATE_FORMAT, InvalidDueDate, change_due_date, list_unit_extensions, parse_due_datetime
from ...permissions import GIVE_STUDENT_EXTENSION
from ..schema import InstructorAutoSchema, documented
from .base import LegacyAPIView

#: How many extensions one backend call reads when a legacy list answers them all.
_EXTENSIONS_CHUNK = 5_000

#: The legacy dashboard's date form, beside ISO 8601.
_DASHBOARD_DATE_FORMAT = "%m/%d/%Y %H:%M"


def _due_datetime(text: str) -> datetime:
    """An ISO 8601 date and time, or the dashboard's ``MM/DD/YYYY HH:MM``, in UTC; raises ``InvalidDueDate``."""
    try:
        return parse_due_datetime(text)
    except InvalidDueDate:
        try:
            return datetime.strptime(text.strip(), _DASHBOARD_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise InvalidDueDate(
                text, message="The extension due date and time format is incorrect", field="due_datetime"
            ) from None


def _every_extension(read: Callable[[PageRequest], Page[DueDateOverrideData]]) -> list[DueDateOverrideData]:
    extensions: list[DueDateOverrideData] = []
    while True:
        page = read(PageRequest(offset=len(extensions), limit=_EXTENSIONS_CHUNK))
        extensions.extend(page.items)
        if not page.items or len(extensions) >= page.total:
            return extensions


class LegacyChangeDueDateRequestSerializer(serializers.Serializer):
    student = serializers.CharField(max_length=255, help_text="A username or an email.")
    url = serializers.CharField(max_length=1000, help_text="The unit's usage key.")
    due_datetime = serializers.CharField(max_length=64, help_text="ISO 8601, or MM/DD/YYYY HH:MM in UTC.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


def _extensions_table(name: str, row: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    """The serializer class of an extensions table: its column names, its title, one object per row."""
    row_serializer = type(f"{name}RowSerializer", (serializers.Serializer,), row)
    fields = {
        "header": serializers.ListField(child=serializers.CharField(), help_text="The column names, in order."),
        "title": serializers.CharField(),
        "data": row_serializer(many=True),
    }
    return type(f"{name}Serializer", (serializers.Serializer,), fields)


UnitExtensionsSerializer = _extensions_table(
    "UnitExtensions",
    {
        "Username": serializers.CharField(),
        "Full Name": serializers.CharField(allow_blank=True),
        "Extended Due Date": serializers.CharField(help_text="YYYY-MM-DD HH:MM, in UTC."),
    },
)
StudentExtensionsSerializer = _extensions_table(
    "StudentExtensions",
    {
        "Unit": serializers.CharField(help_text="The unit's name, or its usage key when it has none."),
        "Extended Due Date": serializers.CharField(help_text="YYYY-MM-DD HH:MM, in UTC."),
    },
)


class ChangeDueDateView(LegacyAPIView):
    """
    Give an enrolled learner a new due date on a unit and the dated blocks inside it, answered as a JSON string.

    ``POST .../instructor/api/change_due_date`` ``student=learner1&url=block-v1:...+type@sequential+block@hw1
    &due_datetime=01/02/2031 10:00&reason=Illness`` -> ``200 "Successfully changed due date for student Learner 1
    for Homework 1 (block-v1:...) to 2031-01-02 10:00"``; a malformed date, a date not later than the original or
    a learner not enrolled is a 400, an unknown learner or unit a 404.
    """

    permission_name = GIVE_STUDENT_EXTENSION
    schema = InstructorAutoSchema()

    @documented(request=LegacyChangeDueDateRequestSerializer, responses={200: OpenApiTypes.STR})
    def post(self, request, course_id):
        body = LegacyChangeDueDateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        due = _due_datetime(data["due_datetime"])
        message = change_due_date(
            request.user.pk,
            self.course_key,
            data["url"],
            due,
            data["student"].strip(),
            data["reason"],
            learner_word="student",
        )
        return Response(message)


class ShowUnitExtensionsRequestSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=1000, help_text="The unit's usage key.")


class ShowUnitExtensionsView(LegacyAPIView):
    """
    The learners with an extension on one unit, by username.

    ``POST .../instructor/api/show_unit_extensions`` ``url=block-v1:...+type@sequential+block@hw1`` ->
    ``200 {"header": ["Username", "Full Name", "Extended Due Date"], "title": "Users with due date extensions
    for Homework 1", "data": [{"Username": "learner1", "Full Name": "Learner 1", "Extended Due Date":
    "2031-01-02 10:00"}]}``
    """

    permission_name = GIVE_STUDENT_EXTENSION
    schema = InstructorAutoSchema()

    @documented(request=ShowUnitExtensionsRequestSerializer, responses={200: UnitExtensionsSerializer})
    def post(self, request, course_id):
        body = ShowUnitExtensionsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unit = resolve.block(self.course_key, body.validated_data["url"], resolve.UNIT)
        extensions = _every_extension(
            lambda window: list_unit_extensions(self.course_key, window, block_id=str(unit.usage_key))
        )
        return Response(
            {
                "header": ["Username", "Full Name", "Extended Due Date"],
                "title": f"Users with due date extensions for {unit.display_name or unit.usage_key}",
                "data": [
                    {
                        "Username": extension.user.username,
                        "Full Name": extension.user.full_name,
                        "Extended Due Date": extension.due.astimezone(UTC).strftime(DATE_FORMAT),
                    }
                    for extension in extensions
                ],
            }
        )


class ShowStudentExtensionsRequestSerializer(serializers.Serializer):
    student = serializers.CharField(max_length=255, help_text="A username or an email.")


class ShowStudentExtensionsView(LegacyAPIView):
    """
    The extensions granted to one learner, in course order.

    ``POST .../instructor/api/show_student_extensions`` ``student=learner1`` -> ``200 {"header": ["Unit",
    "Extended Due Date"], "title": "Due date extensions for Learner 1 (learner1)", "data": [{"Unit": "Homework 1",
    "Extended Due Date": "2031-01-02 10:00"}]}``; an unknown learner is a 404.
    """

    permission_name = GIVE_STUDENT_EXTENSION
    schema = InstructorAutoSchema()

    @documented(request=ShowStudentExtensionsRequestSerializer, responses={200: StudentExtensionsSerializer})
    def post(self, request, course_id):
        body = ShowStudentExtensionsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = resolve.learner(self.course_key, body.validated_data["student"].strip())
        extensions = _every_extension(
            lambda window: list_unit_extensions(self.course_key, window, search=user.username)
        )
        return Response(
            {
                "header": ["Unit", "Extended Due Date"],
                "title": f"Due date extensions for {user.full_name} ({user.username})",
                "data": [
                    {
                        "Unit": extension.display_name or str(extension.usage_key),
                        "Extended Due Date": extension.due.astimezone(UTC).strftime(DATE_FORMAT),
                    }
                    for extension in extensions
                    if extension.user.id == user.id
                ],
            }
        )
