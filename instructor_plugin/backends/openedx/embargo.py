"""Country access rules of restricted courses, from the LMS's ``embargo`` app."""

from __future__ import annotations

from collections.abc import Sequence

from opaque_keys.edx.keys import CourseKey


class OpenedxEmbargoService:
    """
    The checks of ``openedx.core.djangoapps.embargo.api.check_course_access``, over the countries the
    plugin is given (that function takes IP addresses and resolves them with GeoIP itself).
    """

    def get_blocked_message_key(
        self, course_key: CourseKey, user_id: int | None, countries: Sequence[str]
    ) -> str | None:
        """
        ``RestrictedCourse.is_restricted_course``, then ``CountryAccessRule.check_country_access`` for each
        country and the ``UserProfile.country``; blocked: the course's ``RestrictedCourse.enroll_msg_key``.
        """
        from common.djangoapps.student.models import UserProfile
        from openedx.core.djangoapps.embargo.models import CountryAccessRule, RestrictedCourse

        if not RestrictedCourse.is_restricted_course(course_key):
            return None
        checked = [country.strip().upper() for country in countries]
        if user_id is not None:
            profile_country = UserProfile.objects.filter(user_id=user_id).values_list("country", flat=True).first()
            checked.append(str(profile_country or "").upper())
        if all(CountryAccessRule.check_country_access(course_key, country) for country in checked):
            return None
        return RestrictedCourse.objects.get(course_key=course_key).enroll_msg_key
