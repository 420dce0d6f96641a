"""Django admin for the built-in backend's tables, so a demo can be inspected and edited."""

from django.contrib import admin

from .models import (
    Block,
    ContentGroup,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseEnrollmentAttribute,
    CourseMode,
    Curriculum,
    CurriculumCourse,
    ExternalUserKey,
    ForumRole,
    ManualEnrollmentAudit,
    Program,
    ProgramAdmin,
    ProgramEnrollment,
    SurveyAnswer,
    UserProfile,
)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("course_key", "display_name", "start", "end", "self_paced")
    search_fields = ("course_key", "display_name")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("usage_key", "block_type", "display_name", "due", "graded")
    list_filter = ("block_type", "graded")
    search_fields = ("usage_key", "display_name")
    raw_id_fields = ("course", "parent")


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "language")
    search_fields = ("user__username", "user__email", "name")
    raw_id_fields = ("user",)


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ("user", "course_key", "form_name", "field_name", "field_value")
    list_filter = ("course_key", "form_name")
    search_fields = ("user__username", "field_name")
    raw_id_fields = ("user",)


@admin.register(CourseMode)
class CourseModeAdmin(admin.ModelAdmin):
    list_display = ("course", "slug", "display_name", "min_price", "currency", "expiration_datetime", "sku")


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course_key", "mode", "is_active", "created")
    list_filter = ("mode", "is_active")
    search_fields = ("user__username", "user__email", "course_key")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(CourseEnrollmentAllowed)
class CourseEnrollmentAllowedAdmin(admin.ModelAdmin):
    list_display = ("email", "course_key", "auto_enroll", "created")
    search_fields = ("email", "course_key")
    raw_id_fields = ("user",)


@admin.register(ManualEnrollmentAudit)
class ManualEnrollmentAuditAdmin(admin.ModelAdmin):
    list_display = ("enrolled_email", "course_key", "state_transition", "enrolled_by", "created")
    search_fields = ("enrolled_email", "course_key")
    raw_id_fields = ("enrolled_by",)
    list_select_related = ("enrolled_by",)


@admin.register(CourseAccessRole)
class CourseAccessRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org", "course_key")
    list_filter = ("role",)
    search_fields = ("user__username", "org", "course_key")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(ForumRole)
class ForumRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "course_key")
    list_filter = ("role",)
    search_fields = ("user__username", "course_key")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(CourseEnrollmentAttribute)
class CourseEnrollmentAttributeAdmin(admin.ModelAdmin):
    list_display = ("enrollment", "namespace", "name", "value")
    search_fields = ("enrollment__user__username", "namespace", "name")
    raw_id_fields = ("enrollment",)


@admin.register(ContentGroup)
class ContentGroupAdmin(admin.ModelAdmin):
    """A course's content groups, which cohorts link to (Studio manages them in Open edX)."""

    list_display = ("course_key", "partition_id", "group_id", "name")
    search_fields = ("course_key", "name")


# Programs (issue 12) ------------------------------------------------------------------------------


class CurriculumCourseInline(admin.TabularInline):
    model = CurriculumCourse
    extra = 0


@admin.register(Program)
class ProgramModelAdmin(admin.ModelAdmin):
    list_display = ("title", "uuid", "program_type", "org")
    search_fields = ("title", "uuid", "marketing_slug")


@admin.register(Curriculum)
class CurriculumAdmin(admin.ModelAdmin):
    list_display = ("name", "uuid", "program", "is_active")
    inlines = (CurriculumCourseInline,)


@admin.register(ProgramAdmin)
class ProgramAdminAdmin(admin.ModelAdmin):
    list_display = ("program", "user")
    raw_id_fields = ("user",)


@admin.register(ExternalUserKey)
class ExternalUserKeyAdmin(admin.ModelAdmin):
    list_display = ("org", "external_user_key", "user")
    search_fields = ("external_user_key", "user__username")
    raw_id_fields = ("user",)


@admin.register(ProgramEnrollment)
class ProgramEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("external_user_key", "program", "status", "user", "modified")
    list_filter = ("status",)
    search_fields = ("external_user_key", "user__username")
    raw_id_fields = ("user",)
    list_select_related = ("program", "user")
    readonly_fields = ("key_lower",)
