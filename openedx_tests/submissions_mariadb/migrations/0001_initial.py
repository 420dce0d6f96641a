"""
edx-submissions' tables on MariaDB, made by ``makemigrations`` from its 4.0.2 models: its own migrations
stop at ``0006_mariadb_uuid_conversion`` there (see ``openedx_tests.settings``).
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
import jsonfield.fields
import model_utils.fields
import submissions.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Score",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("points_earned", models.PositiveIntegerField(default=0)),
                ("points_possible", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                ("reset", models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name="ScoreAnnotation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("annotation_type", models.CharField(db_index=True, max_length=255)),
                ("creator", submissions.models.AnonymizedUserIDField()),
                ("reason", models.TextField()),
                ("score", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="submissions.score")),
            ],
        ),
        migrations.CreateModel(
            name="StudentItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("student_id", submissions.models.AnonymizedUserIDField()),
                ("course_id", models.CharField(db_index=True, max_length=255)),
                ("item_id", models.CharField(db_index=True, max_length=255)),
                ("item_type", models.CharField(max_length=100)),
            ],
            options={
                "unique_together": {("course_id", "student_id", "item_id")},
            },
        ),
        migrations.CreateModel(
            name="ScoreSummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "highest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="submissions.score"
                    ),
                ),
                (
                    "latest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="submissions.score"
                    ),
                ),
                (
                    "student_item",
                    models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, to="submissions.studentitem"),
                ),
            ],
            options={
                "verbose_name_plural": "Score Summaries",
            },
        ),
        migrations.AddField(
            model_name="score",
            name="student_item",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="submissions.studentitem"),
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4)),
                ("attempt_number", models.PositiveIntegerField()),
                ("submitted_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                (
                    "answer",
                    jsonfield.fields.JSONField(blank=True, db_column="raw_answer", dump_kwargs={"ensure_ascii": True}),
                ),
                ("status", models.CharField(choices=[("D", "Deleted"), ("A", "Active")], default="A", max_length=1)),
                (
                    "student_item",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="submissions.studentitem"),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="score",
            name="submission",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, to="submissions.submission"
            ),
        ),
        migrations.CreateModel(
            name="ExternalGraderDetail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("queue_name", models.CharField(max_length=128)),
                ("queue_key", models.CharField(max_length=128, null=True)),
                ("grader_file_name", models.CharField(default="", max_length=128)),
                ("points_possible", models.PositiveIntegerField(default=1)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("pulled", "Pulled"),
                            ("retired", "Retired"),
                            ("failed", "Failed"),
                            ("retry", "Retry"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("pullkey", models.CharField(blank=True, max_length=128, null=True)),
                ("grader_reply", models.TextField(blank=True, null=True)),
                ("status_time", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("num_failures", models.PositiveIntegerField(default=0)),
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="external_grader_detail",
                        to="submissions.submission",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="SubmissionFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False)),
                (
                    "file",
                    models.FileField(
                        max_length=512,
                        storage=submissions.models.get_storage,
                        upload_to=submissions.models.submission_file_path,
                    ),
                ),
                ("original_filename", models.CharField(max_length=255)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "external_grader",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="files",
                        to="submissions.externalgraderdetail",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TeamSubmission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "created",
                    model_utils.fields.AutoCreatedField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created"
                    ),
                ),
                (
                    "modified",
                    model_utils.fields.AutoLastModifiedField(
                        default=django.utils.timezone.now, editable=False, verbose_name="modified"
                    ),
                ),
                ("uuid", models.UUIDField(db_index=True, default=uuid.uuid4)),
                ("attempt_number", models.PositiveIntegerField()),
                ("submitted_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("course_id", models.CharField(db_index=True, max_length=255)),
                ("item_id", models.CharField(db_index=True, max_length=255)),
                ("team_id", models.CharField(db_index=True, max_length=255)),
                ("status", models.CharField(choices=[("D", "Deleted"), ("A", "Active")], default="A", max_length=1)),
                (
                    "submitted_by",
                    models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="submission",
            name="team_submission",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="submissions",
                to="submissions.teamsubmission",
            ),
        ),
        migrations.AddIndex(
            model_name="externalgraderdetail",
            index=models.Index(fields=["queue_name", "status", "status_time"], name="submissions_queue_n_fbabd8_idx"),
        ),
        migrations.AddIndex(
            model_name="submissionfile",
            index=models.Index(fields=["external_grader", "uuid"], name="submissions_externa_ff8089_idx"),
        ),
    ]
