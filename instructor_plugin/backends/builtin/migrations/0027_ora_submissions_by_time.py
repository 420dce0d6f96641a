"""
Open-response submissions indexed in the ORA data report's order (block, submission time, id) within the
course, so that each of the report's queries reads one range of the index instead of sorting the course's
submissions.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0023_cohort_member_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="openresponsesubmission",
            index=models.Index(
                fields=["course_key", "usage_key", "submitted_at", "id"], name="ipb_ora_submission_time"
            ),
        ),
    ]
