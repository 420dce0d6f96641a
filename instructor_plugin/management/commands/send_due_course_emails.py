"""``manage.py send_due_course_emails``: queue the scheduled course emails whose time has come."""

from django.core.management.base import BaseCommand

from ...bulk_email import send_due_course_emails


class Command(BaseCommand):
    help = (
        "Queue every scheduled course email that is due. Run it every minute (cron) where Celery beat "
        "does not run instructor_plugin.send_due_course_emails."
    )

    def handle(self, *args, **options):
        count = send_due_course_emails()
        if options["verbosity"]:
            self.stdout.write(f"Queued {count} scheduled course email(s).")
