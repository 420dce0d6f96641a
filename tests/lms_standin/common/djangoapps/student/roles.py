"""Stand-in of openedx-platform ``common/djangoapps/student/roles.py``: ``CourseRole``."""

from .models import CourseAccessRole


class CourseRole:
    """A named role in one course run."""

    def __init__(self, role, course_key, org=None):
        self._role_name = role
        self.course_key = course_key
        self.org = org or course_key.org

    def has_user(self, user):
        return CourseAccessRole.objects.filter(
            user=user, role=self._role_name, course_id=self.course_key, org=self.org
        ).exists()

    def add_users(self, *users):
        for user in users:
            CourseAccessRole.objects.get_or_create(
                user=user, role=self._role_name, course_id=self.course_key, org=self.org
            )

    def remove_users(self, *users):
        CourseAccessRole.objects.filter(
            user__in=users, role=self._role_name, course_id=self.course_key, org=self.org
        ).delete()
