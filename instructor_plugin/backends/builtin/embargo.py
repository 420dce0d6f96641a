"""Restricted courses and their country rules."""

from collections.abc import Sequence

from opaque_keys.edx.keys import CourseKey

from .models import CountryAccessRule, RestrictedCourse, UserProfile


class BuiltinEmbargoService:
    """Reads the built-in ``RestrictedCourse`` and ``CountryAccessRule`` tables and the profile's country."""

    def get_blocked_message_key(
        self, course_key: CourseKey, user_id: int | None, countries: Sequence[str]
    ) -> str | None:
        restricted = RestrictedCourse.objects.filter(course_key=course_key).first()
        if restricted is None:
            return None
        checked = {country.upper() for country in countries if country}
        if user_id is not None:
            profile_country = UserProfile.objects.filter(user_id=user_id).values_list("country", flat=True).first()
            if profile_country:
                checked.add(profile_country.upper())
        rules = dict(CountryAccessRule.objects.filter(restricted_course=restricted).values_list("country", "rule_type"))
        whitelist = {country for country, rule in rules.items() if rule == CountryAccessRule.WHITELIST}
        for country in checked:
            if rules.get(country) == CountryAccessRule.BLACKLIST or (whitelist and country not in whitelist):
                return restricted.enroll_msg_key
        return None
