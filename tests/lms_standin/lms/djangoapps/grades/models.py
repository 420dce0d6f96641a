"""
Stand-in of openedx-platform ``lms/djangoapps/grades/models.py``: the persisted grades the gradebook
reads (``PersistentSubsectionGrade``, ``PersistentCourseGrade``) and the subsection override with its
django-simple-history ``history``, with the platform's field names (the platform's visible-blocks
and course-version columns are left out: nothing here reads them).
"""

from django.db import models
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField
from simple_history.models import HistoricalRecords


class PersistentSubsectionGrade(models.Model):
    """A learner's last computed grade on a subsection."""

    user_id = models.IntegerField(blank=False)
    course_id = CourseKeyField(blank=False, max_length=255)
    usage_key = UsageKeyField(blank=False, max_length=255)
    earned_all = models.FloatField(blank=False)
    possible_all = models.FloatField(blank=False)
    earned_graded = models.FloatField(blank=False)
    possible_graded = models.FloatField(blank=False)
    first_attempted = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        app_label = "grades"
        unique_together = [("course_id", "user_id", "usage_key")]


class PersistentSubsectionGradeOverride(models.Model):
    """Values that replace a subsection grade's; each change is kept in ``history``."""

    grade = models.OneToOneField(PersistentSubsectionGrade, related_name="override", on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)
    earned_all_override = models.FloatField(null=True, blank=True)
    possible_all_override = models.FloatField(null=True, blank=True)
    earned_graded_override = models.FloatField(null=True, blank=True)
    possible_graded_override = models.FloatField(null=True, blank=True)
    override_reason = models.CharField(max_length=300, blank=True, null=True)
    system = models.CharField(max_length=100, blank=True, null=True)

    history = HistoricalRecords()

    class Meta:
        app_label = "grades"

    @classmethod
    def update_or_create_override(
        cls, requesting_user, subsection_grade_model, feature=None, action=None, **override_data
    ):
        """
        Create or update the grade's override from ``override_data`` (override values, ``comment``, ``system``);
        a value not given is the grade's own.
        """
        defaults = {
            name: override_data.get(name, getattr(subsection_grade_model, name.removesuffix("_override")))
            for name in _OVERRIDE_FIELDS
        }
        defaults["override_reason"] = override_data.get("comment")
        defaults["system"] = override_data.get("system")
        override = cls.objects.filter(grade=subsection_grade_model).first() or cls(grade=subsection_grade_model)
        for name, value in defaults.items():
            setattr(override, name, value)
        if requesting_user:
            override._history_user = requesting_user
        override.save()
        return override


_OVERRIDE_FIELDS = (
    "earned_all_override",
    "possible_all_override",
    "earned_graded_override",
    "possible_graded_override",
)


class PersistentCourseGrade(models.Model):
    """A learner's last computed course grade; ``percent_grade`` is 0..1."""

    user_id = models.IntegerField(blank=False, db_index=True)
    course_id = CourseKeyField(blank=False, max_length=255)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)
    percent_grade = models.FloatField(blank=False)
    letter_grade = models.CharField("Letter grade for course", blank=False, max_length=255)
    passed_timestamp = models.DateTimeField("Date learner earned a passing grade", blank=True, null=True)

    class Meta:
        app_label = "grades"
        unique_together = [("course_id", "user_id")]
