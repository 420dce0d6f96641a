"""``manage.py seed_demo_course``: (re)build the demo course, its team and its learners."""

import time

from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError

from ...seed import DEFAULT_LEARNERS, DEMO_COURSE_ID, seed_demo_course


class Command(BaseCommand):
    help = (
        "Rebuild the demo course with its team, N enrolled learners (password 'edx' for every account) "
        "and the Instructor API v2 turned on. Other courses are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=DEFAULT_LEARNERS, help="How many learners to enroll.")
        parser.add_argument("--course-id", default=DEMO_COURSE_ID, help="The course to (re)build.")

    def handle(self, *args, learners, course_id, **options):
        started = time.perf_counter()
        try:
            result = seed_demo_course(course_id, learners)
        except (InvalidKeyError, ValueError) as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        if options["verbosity"]:
            self.stdout.write(
                f"Seeded {result.course_key}: {result.blocks} blocks, {result.learners:,} learners, "
                f"{result.enrollments:,} enrollments in {elapsed:.1f} s"
            )
