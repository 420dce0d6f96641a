"""Stand-in of openedx-platform ``openedx/core/djangoapps/django_comment_common/models.py``: ``Role``."""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField

FORUM_ROLE_ADMINISTRATOR = "Administrator"
FORUM_ROLE_MODERATOR = "Moderator"
FORUM_ROLE_GROUP_MODERATOR = "Group Moderator"
FORUM_ROLE_COMMUNITY_TA = "Community TA"
FORUM_ROLE_STUDENT = "Student"


class Role(models.Model):
    """A forum role of one course, and the users holding it."""

    name = models.CharField(max_length=30, null=False, blank=False)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="roles")
    course_id = CourseKeyField(max_length=255, blank=True, db_index=True)

    class Meta:
        app_label = "django_comment_common"
