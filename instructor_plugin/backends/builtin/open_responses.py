"""Open-response assessments of the built-in backend: ``OpenResponseSubmission`` rows and their files."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO

from django.db.models import CharField, Count, ExpressionWrapper, F, Q, QuerySet, Sum, TextField
from opaque_keys.edx.keys import CourseKey, UsageKey

from ...conf import plugin_storage
from ..data import (
    OpenResponseCountsData,
    OpenResponseFileData,
    OpenResponseSubmissionData,
    OpenResponseSummaryData,
    Page,
    PageRequest,
)
from .models import Block, OpenResponseCount, OpenResponseSubmission
from .sql_text import IsoDateTime, UuidText

ORA_BLOCK_TYPE = "openassessment"
#: Workflow steps counted per block; ``cancelled`` submissions count nowhere.
STEPS = ("training", "peer", "self", "waiting", "staff", "done")
STREAM_CHUNK_SIZE = 1000
#: Submissions per query of :meth:`BuiltinOpenResponseService.iter_submission_rows`.
SUBMISSION_ROWS_CHUNK = 2000

#: ``json.loads`` without its checks of the text's type and surrounding blanks (none around the database's).
_decode_json = json.JSONDecoder().raw_decode


def _attached_blocks(course_key: CourseKey):
    return Block.objects.filter(course__course_key=course_key, block_type=ORA_BLOCK_TYPE, parent__isnull=False)


def _counts(course_key: CourseKey, usage_keys: list) -> dict:
    """The kept counts of these blocks, by block and step."""
    rows = OpenResponseCount.objects.filter(course_key=course_key, status__in=STEPS, usage_key__in=usage_keys)
    counts: dict = defaultdict(dict)
    for usage_key, status, submissions in rows.values_list("usage_key", "status", "submissions"):
        counts[usage_key][status] = submissions
    return counts


def _block_counts(block: Block, steps: dict) -> OpenResponseCountsData:
    return OpenResponseCountsData(
        usage_key=block.usage_key,
        unit_name=block.parent.display_name if block.parent else "",
        display_name=block.display_name,
        total=sum(steps.values()),
        **{step: steps.get(step, 0) for step in STEPS},
        has_staff_step=steps.get("staff", 0) > 0,
    )


def _located_submissions(course_key: CourseKey) -> QuerySet:
    """The course's submissions with ``location``, their usage key's text (read with no key parsed)."""
    return OpenResponseSubmission.objects.filter(course_key=course_key).annotate(
        location=ExpressionWrapper(F("usage_key"), output_field=CharField())
    )


def _block_ordered(rows: QuerySet, chunk_size: int) -> Iterator[tuple]:
    """
    ``rows`` (``values_list`` rows starting with the id, the location and ending with the submission time as
    :class:`IsoDateTime` text) by block, submission time and id, ``chunk_size`` a query.

    Each query reads one range of the ``(course_key, usage_key, submitted_at, id)`` index: the rest of the
    block last read, or the blocks after it. A single keyset over the three keys would start each query at
    the block's first row, reading again the rows already read.
    """
    ordered = rows.order_by("usage_key", "submitted_at", "pk")
    window, in_block = ordered, False
    while True:
        chunk = list(window[:chunk_size])
        yield from chunk
        read = len(chunk)
        if chunk:
            pk, location, *_, submitted_at = chunk[-1]
        del chunk  # not held while the next one is read
        if read == chunk_size:
            after = datetime.fromisoformat(submitted_at)
            in_block_after = Q(submitted_at__gt=after) | Q(pk__gt=pk)
            # Ordered without the block: MariaDB filesorts the rest of the block when ORDER BY names a column
            # the query fixes to a literal whose collation (the connection's) is not the column's.
            in_block_rows = rows.filter(in_block_after, location=location, submitted_at__gte=after)
            window, in_block = in_block_rows.order_by("submitted_at", "pk"), True
        elif in_block:
            window, in_block = ordered.filter(location__gt=location), False
        else:
            return


def _file_names(files: str) -> str:
    """The names of the files of a submission's ``files`` JSON text, joined by ``"; "``."""
    return "" if files == "[]" else "; ".join(file["name"] for file in _decode_json(files)[0])


class BuiltinOpenResponseService:
    """
    Counts, lists and opens the built-in backend's open-response submissions.

    Only assessments attached to the content tree count; the counts are the ones the triggers keep
    (:class:`OpenResponseCount`). The built-in tables hold no assessment-step configuration, so a block is
    taken to have a staff step while any of its responses is at that step.
    """

    def list_counts(self, course_key: CourseKey, page: PageRequest) -> Page[OpenResponseCountsData]:
        blocks = _attached_blocks(course_key)
        window = list(blocks.select_related("parent").order_by("position")[page.offset : page.offset + page.limit])
        counts = _counts(course_key, [block.usage_key for block in window])
        items = [_block_counts(block, counts.get(block.usage_key, {})) for block in window]
        # A page short of its limit is the last one: the blocks before it and its own are all there are.
        last = 0 < len(window) < page.limit or (not window and not page.offset)
        return Page(items=items, total=page.offset + len(window) if last else blocks.count())

    def summarize(self, course_key: CourseKey) -> OpenResponseSummaryData:
        blocks = _attached_blocks(course_key)
        sizes = blocks.aggregate(assessments=Count("pk"), units=Count("parent", distinct=True))
        rows = (
            OpenResponseCount.objects.filter(
                course_key=course_key, status__in=STEPS, usage_key__in=blocks.values("usage_key")
            )
            .values("status")
            .annotate(n=Sum("submissions"))
            .order_by()
        )
        totals = {step: 0 for step in STEPS}
        for row in rows:
            totals[row["status"]] = row["n"]
        return OpenResponseSummaryData(
            assessments=sizes["assessments"], units=sizes["units"], total=sum(totals.values()), **totals
        )

    def iter_submissions(self, course_key: CourseKey) -> Iterator[OpenResponseSubmissionData]:
        rows = _located_submissions(course_key).values_list(
            "pk",
            "location",
            "submission_uuid",
            "user_id",
            "user__username",
            "status",
            "answer_text",
            "files",
            "points_earned",
            "points_possible",
            IsoDateTime("submitted_at"),
        )
        usage_keys: dict[str, UsageKey] = {}
        for _, location, uuid, user_id, username, status, text, files, earned, possible, submitted_at in _block_ordered(
            rows, STREAM_CHUNK_SIZE
        ):
            usage_key = usage_keys.get(location)
            if usage_key is None:
                usage_key = usage_keys[location] = UsageKey.from_string(location)
            yield OpenResponseSubmissionData(
                submission_uuid=str(uuid),
                usage_key=usage_key,
                user_id=user_id,
                username=username,
                status=status,
                answer_text=text,
                files=tuple(
                    OpenResponseFileData(name=f["name"], path=f["path"], description=f.get("description", ""))
                    for f in files
                ),
                points_earned=earned,
                points_possible=possible,
                submitted_at=datetime.fromisoformat(submitted_at),
            )

    def iter_submission_rows(self, course_key: CourseKey) -> Iterator[Sequence[object]]:
        # Every column but the scores read as text, none converted: the usage key, the UUID, the submission
        # time (ISO 8601) and the files' JSON are written by the database.
        rows = _located_submissions(course_key).annotate(
            files_text=ExpressionWrapper(F("files"), output_field=TextField())
        )
        rows = rows.values_list(
            "pk",
            "location",
            UuidText("submission_uuid"),
            "user__username",
            "status",
            "answer_text",
            "files_text",
            "points_earned",
            "points_possible",
            IsoDateTime("submitted_at"),
        )
        for _, location, uuid, username, status, text, files, earned, possible, submitted_at in _block_ordered(
            rows, SUBMISSION_ROWS_CHUNK
        ):
            yield (uuid, location, username, status, text, _file_names(files), earned, possible, submitted_at)

    def open_file(self, course_key: CourseKey, path: str) -> IO[bytes]:
        storage = plugin_storage("ORA_FILE_STORAGE")
        if not storage.exists(path):
            raise FileNotFoundError(path)
        return storage.open(path, "rb")
