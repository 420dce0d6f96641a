"""Open-response assessments, read from ORA2 (``openassessment``) and edx-submissions (``submissions``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import IO, Any
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Count, Q
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import (
    OpenResponseCountsData,
    OpenResponseFileData,
    OpenResponseSubmissionData,
    OpenResponseSummaryData,
    Page,
    PageRequest,
)
from ..exceptions import CourseNotFound
from .courses import OpenedxCourseService, walk

#: The ``category`` of ORA2's ``OpenAssessmentBlock`` and the ``item_type`` of its submissions.
ORA_BLOCK_TYPE = "openassessment"
#: The workflow statuses counted (``collect_ora2_responses``'s ``desired_statuses``): ``cancelled``
#: responses and a team's ``teams`` step count nowhere.
STEPS = ("training", "peer", "self", "waiting", "staff", "done")
#: The name of the staff step in ``OpenAssessmentBlock.assessment_steps``.
STAFF_ASSESSMENT_STEP = "staff-assessment"
#: Submissions read per query by :meth:`OpenedxOpenResponseService.iter_submissions`.
CHUNK = 1000
#: How long a file download from the file-upload backend may wait for each read.
DOWNLOAD_TIMEOUT_SECONDS = 60


def _workflows() -> Any:
    from openassessment.workflow.models import AssessmentWorkflow

    return AssessmentWorkflow.objects.order_by()


def _counts_by_item(course_key: CourseKey, item_ids: Iterable[str]) -> Mapping[str, Mapping[str, int]]:
    """How many workflows of each item are at each counted step, grouped in the database."""
    rows = (
        _workflows()
        .filter(course_id=str(course_key), item_id__in=list(item_ids), status__in=STEPS)
        .values("item_id", "status")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["item_id"]][row["status"]] = row["n"]
    return counts


def _block_counts(block: Any, steps: Mapping[str, int]) -> OpenResponseCountsData:
    parent = block.get_parent()
    return OpenResponseCountsData(
        usage_key=block.location,
        unit_name=(parent.display_name or "") if parent is not None else "",
        display_name=block.display_name or "",
        total=sum(steps.values()),
        **{step: steps.get(step, 0) for step in STEPS},
        has_staff_step=STAFF_ASSESSMENT_STEP in block.assessment_steps and not block.teams_enabled,
    )


def _answer(answer: Any) -> tuple[str, tuple[OpenResponseFileData, ...]]:
    """
    The text parts (joined by a blank line) and the files of a submission's answer, read with
    ``openassessment.data.OraSubmissionAnswerFactory.parse_submission_raw_answer``; an answer of
    no ORA2 shape is its JSON text, without files.
    """
    from openassessment.data import OraSubmissionAnswerFactory, VersionNotFoundException

    try:
        parsed = OraSubmissionAnswerFactory.parse_submission_raw_answer(answer)
    except (VersionNotFoundException, AttributeError):
        return (answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)), ()
    text = "\n\n".join(part or "" for part in parsed.get_text_responses())
    files = tuple(
        OpenResponseFileData(name=str(upload.name), path=upload.key, description=str(upload.description or ""))
        for upload in parsed.get_file_uploads()
    )
    return text, files


def _score(submission: Any) -> tuple[float | None, float | None]:
    """The learner's latest score when it is this submission's and not hidden, as the submissions API reads it."""
    summary = getattr(submission.student_item, "scoresummary", None)
    latest = summary.latest if summary is not None else None
    if latest is None or latest.is_hidden() or latest.submission_id != submission.pk:
        return None, None
    return float(latest.points_earned), float(latest.points_possible)


def _time_ordered_chunks(submissions: Any) -> Iterator[list[Any]]:
    """``submissions`` by submission time (then id), ``CHUNK`` a query, each starting after the last row seen."""
    last = None
    while True:
        window = submissions
        if last is not None:
            after = Q(submitted_at__gt=last.submitted_at) | Q(submitted_at=last.submitted_at, pk__gt=last.pk)
            window = submissions.filter(Q(submitted_at__gte=last.submitted_at) & after)
        chunk = list(window.order_by("submitted_at", "pk")[:CHUNK])
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]


def _submission_records(usage_key: UsageKey, chunk: Sequence[Any]) -> Iterator[OpenResponseSubmissionData]:
    """
    The chunk's submissions with their learners (the platform's ``AnonymousUserId``, which ORA2's
    ``map_anonymized_ids_to_usernames`` reads too) and their workflows' statuses; a submission of an
    anonymous id no user has (Studio's preview learner) is left out, as ORA2's files archive leaves it.
    """
    from common.djangoapps.student.models import AnonymousUserId

    users = {
        anonymous_id: (user_id, username)
        for anonymous_id, user_id, username in AnonymousUserId.objects.filter(
            anonymous_user_id__in={submission.student_item.student_id for submission in chunk}
        ).values_list("anonymous_user_id", "user_id", "user__username")
    }
    statuses = dict(
        _workflows()
        .filter(submission_uuid__in=[str(submission.uuid) for submission in chunk])
        .values_list("submission_uuid", "status")
    )
    for submission in chunk:
        user = users.get(submission.student_item.student_id)
        if user is None:
            continue
        text, files = _answer(submission.answer)
        earned, possible = _score(submission)
        yield OpenResponseSubmissionData(
            submission_uuid=str(submission.uuid),
            usage_key=usage_key,
            user_id=user[0],
            username=user[1],
            status=statuses.get(str(submission.uuid), ""),
            answer_text=text,
            files=files,
            points_earned=earned,
            points_possible=possible,
            submitted_at=submission.submitted_at,
        )


class OpenedxOpenResponseService:
    """
    What the LMS's instructor dashboard (``lms/djangoapps/instructor/ora.py``) and its ORA reports read:
    the course's ``openassessment`` blocks from the modulestore, ORA2's ``AssessmentWorkflow`` statuses,
    edx-submissions' submissions and scores, and ORA2's file-upload backend.

    Where the LMS's list differs: it lists every ``openassessment`` block the modulestore has (orphans too)
    and its ``total`` counts cancelled responses; here only blocks in the course tree are listed, in course
    order, and the total is the sum of the counted steps, as the built-in backend has it.
    """

    def __init__(self, courses: OpenedxCourseService) -> None:
        self.courses = courses

    def _assessment_blocks(self, course_key: CourseKey) -> list[Any]:
        """The ``openassessment`` blocks of ``modulestore().get_course(course_key, depth=None)``, in course order."""
        try:
            course = self.courses.course_block(course_key)
        except CourseNotFound:
            return []
        return [block for block in walk(course) if block.category == ORA_BLOCK_TYPE]

    def list_counts(self, course_key: CourseKey, page: PageRequest) -> Page[OpenResponseCountsData]:
        """
        The page's blocks with ``OraAggregateData.collect_ora2_responses``'s counts (its query of
        ``AssessmentWorkflow`` by ``item_id`` and ``status``, grouped in the database); a block has a staff
        step when ``"staff-assessment" in block.assessment_steps`` and it is not team-enabled, the LMS's rule
        for its staff-grading link.
        """
        blocks = self._assessment_blocks(course_key)
        window = blocks[page.offset : page.offset + page.limit]
        counts = _counts_by_item(course_key, [str(block.location) for block in window])
        items = [_block_counts(block, counts.get(str(block.location), {})) for block in window]
        return Page(items=items, total=len(blocks))

    def summarize(self, course_key: CourseKey) -> OpenResponseSummaryData:
        """The counts of :meth:`list_counts` summed in one grouped query; units are the blocks' distinct parents."""
        blocks = self._assessment_blocks(course_key)
        totals = {step: 0 for step in STEPS}
        for steps in _counts_by_item(course_key, [str(block.location) for block in blocks]).values():
            for step, count in steps.items():
                totals[step] += count
        return OpenResponseSummaryData(
            assessments=len(blocks),
            units=len({block.parent for block in blocks}),
            total=sum(totals.values()),
            **totals,
        )

    def iter_submissions(self, course_key: CourseKey) -> Iterator[OpenResponseSubmissionData]:
        """
        What ``submissions.api.get_all_course_submission_information(course_id, "openassessment")`` yields
        for the ORA data report (every submission, with the learner's latest score when it is that
        submission's), read from its ``Submission`` model item by item (by usage key) and by submission
        time, ``CHUNK`` submissions a query; the status is the submission's ``AssessmentWorkflow.status``.
        """
        from submissions.models import StudentItem, Submission

        course_id = str(course_key)
        item_ids = (
            StudentItem.objects.filter(course_id=course_id, item_type=ORA_BLOCK_TYPE)
            .order_by("item_id")
            .values_list("item_id", flat=True)
            .distinct()
        )
        for item_id in list(item_ids):
            usage_key = UsageKey.from_string(item_id)
            submissions = Submission.objects.select_related("student_item__scoresummary__latest").filter(
                student_item__course_id=course_id, student_item__item_type=ORA_BLOCK_TYPE, student_item__item_id=item_id
            )
            for chunk in _time_ordered_chunks(submissions):
                yield from _submission_records(usage_key, chunk)

    def iter_submission_rows(self, course_key: CourseKey) -> Iterator[Sequence[object]]:
        """:meth:`iter_submissions`, each submission as the row of its cells."""
        for submission in self.iter_submissions(course_key):
            yield (
                submission.submission_uuid,
                str(submission.usage_key),
                submission.username,
                submission.status,
                submission.answer_text,
                "; ".join(file.name for file in submission.files),
                submission.points_earned,
                submission.points_possible,
                submission.submitted_at.isoformat() if submission.submitted_at else None,
            )

    def open_file(self, course_key: CourseKey, path: str) -> IO[bytes]:
        """
        ``openassessment.fileupload.api.get_download_url(key)`` and a streamed GET of that URL (a relative one
        from ``settings.LMS_ROOT_URL``), as ORA2's ``OraDownloadData._download_file_by_key`` reads a file for
        the LMS's archive; no URL or a 404 is ``FileNotFoundError``.
        """
        import requests
        from openassessment.fileupload.api import get_download_url

        url = get_download_url(path)
        if not url:
            raise FileNotFoundError(path)
        response = requests.get(
            urljoin(getattr(settings, "LMS_ROOT_URL", ""), url), stream=True, timeout=DOWNLOAD_TIMEOUT_SECONDS
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            response.close()
            raise FileNotFoundError(path)
        response.raise_for_status()
        response.raw.decode_content = True
        return response.raw
