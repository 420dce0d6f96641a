"""The legacy CSV upload of learner-to-cohort assignments, queued as the cohorts API's upload task."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ...cohorts import read_assignments_csv, start_csv_assignment
from ...permissions import ASSIGN_TO_COHORTS
from ..cohorts.serializers import CohortCsvUploadSerializer
from ..parsers import LimitedFormParser
from ..schema import InstructorAutoSchema, documented
from .base import LegacyAPIView


class AddUsersToCohortsView(LegacyAPIView):
    """
    Queue the assignments of an uploaded CSV (multipart ``uploaded-file``: a ``cohort`` column and ``email`` and/or
    ``username``); the per-row results land in the course's reports.

    ``POST .../instructor/api/add_users_to_cohorts`` (``uploaded-file=cohorts.csv``) -> ``200 {}``; no file, a name
    not ending ``.csv``, a file that is not UTF-8 CSV or lacks the columns is ``400 {"error": "The file must contain
    a 'cohort' column containing cohort names.", ...}``; an upload still running is a 400 too.
    """

    permission_name = ASSIGN_TO_COHORTS
    parser_classes = (MultiPartParser, LimitedFormParser)
    schema = InstructorAutoSchema()

    @documented(
        request={"multipart/form-data": CohortCsvUploadSerializer},
        responses={200: OpenApiTypes.OBJECT},
        errors=(413,),
    )
    def post(self, request, course_id):
        body = CohortCsvUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = read_assignments_csv(body.validated_data.get("uploaded-file"))
        start_csv_assignment(self.course_key, rows, request.user.pk)
        return Response({})
