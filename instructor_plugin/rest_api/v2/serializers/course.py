"""Serializers of the course metadata endpoint."""

from rest_framework import serializers


class TabSerializer(serializers.Serializer):
    tab_id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    sort_order = serializers.IntegerField()


class CoursePermissionsSerializer(serializers.Serializer):
    admin = serializers.BooleanField(help_text="Global staff.")
    instructor = serializers.BooleanField(help_text="Holds the course-level instructor role.")
    staff = serializers.BooleanField(help_text="Holds the course-level staff role.")
    ccx_coach = serializers.BooleanField()
    forum_admin = serializers.BooleanField(help_text="Discussion Administrator in this course.")
    data_researcher = serializers.BooleanField(help_text="May generate research reports.")


class CourseMetadataSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    username = serializers.CharField(help_text="The requesting user.")
    display_name = serializers.CharField()
    org = serializers.CharField()
    course_number = serializers.CharField()
    course_run = serializers.CharField(allow_blank=True)
    enrollment_start = serializers.DateTimeField(allow_null=True)
    enrollment_end = serializers.DateTimeField(allow_null=True)
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    pacing = serializers.ChoiceField(choices=["self", "instructor"])
    has_started = serializers.BooleanField()
    has_ended = serializers.BooleanField()
    total_enrollment = serializers.IntegerField()
    learner_count = serializers.IntegerField(help_text="Active enrollments of users with no staff role.")
    staff_count = serializers.IntegerField()
    enrollment_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Active enrollments per mode slug, plus `total`."
    )
    num_sections = serializers.IntegerField()
    grade_cutoffs = serializers.CharField(allow_blank=True, help_text='e.g. "A is 0.9, B is 0.8".')
    course_errors = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    studio_url = serializers.CharField(allow_null=True)
    gradebook_url = serializers.CharField(allow_null=True)
    studio_grading_url = serializers.CharField(allow_null=True)
    admin_console_url = serializers.CharField(allow_null=True)
    permissions = CoursePermissionsSerializer()
    tabs = TabSerializer(many=True)
    disable_buttons = serializers.BooleanField(help_text="True above MAX_ENROLLMENT_INSTR_BUTTONS enrollments.")
    analytics_dashboard_message = serializers.CharField(allow_blank=True)
    certificates_enabled = serializers.BooleanField()
