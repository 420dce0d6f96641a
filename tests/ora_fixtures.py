"""A course with open-response assessments and submissions at every workflow step, for the ORA tests.

week1 (chapter)
  essays (sequential)
    essay_unit (vertical, "Essay unit")
      essay (openassessment)
      poem (openassessment)
    review_unit (vertical, "Review unit")
      review (openassessment)
  orphan (openassessment, no parent: not counted)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model

from instructor_plugin.backends.builtin.models import Block, Course, OpenResponseSubmission
from tests.grading_fixtures import add_block

SUBMITTED_AT = datetime(2029, 1, 1, tzinfo=UTC)


@dataclass
class OraCourse:
    essay: Block
    poem: Block
    review: Block
    orphan: Block


def add_ora_blocks(course: Course) -> OraCourse:
    """The blocks of the module docstring, under the course's ``week1`` chapter."""
    week1 = Block.objects.get(course=course, block_type="chapter")
    essays = add_block(course, week1, "sequential", "essays", "Essays")
    essay_unit = add_block(course, essays, "vertical", "essay_unit", "Essay unit")
    review_unit = add_block(course, essays, "vertical", "review_unit", "Review unit")
    return OraCourse(
        essay=add_block(course, essay_unit, "openassessment", "essay", "Essay"),
        poem=add_block(course, essay_unit, "openassessment", "poem", "Poem"),
        review=add_block(course, review_unit, "openassessment", "review", "Review"),
        orphan=Block.objects.create(
            course=course,
            usage_key=course.course_key.make_usage_key("openassessment", "orphan"),
            block_type="openassessment",
            display_name="Orphan",
            position=999,
        ),
    )


def add_submissions(block: Block, prefix: str, statuses: list[str]) -> None:
    """One learner (created here) per status, each with a submission on ``block``."""
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.com") for i in range(len(statuses))]
    )
    people = user_model.objects.filter(username__startswith=prefix).order_by("username")
    OpenResponseSubmission.objects.bulk_create(
        OpenResponseSubmission(
            user=user,
            course_key=block.course.course_key,
            usage_key=block.usage_key,
            submission_uuid=uuid.uuid4(),
            status=status,
            submitted_at=SUBMITTED_AT,
        )
        for user, status in zip(people, statuses, strict=True)
    )
