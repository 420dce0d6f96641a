"""
Stand-in of openedx-platform ``openedx/core/djangoapps/embargo/models.py``: ``RestrictedCourse``,
``Country`` and ``CountryAccessRule`` with the two class methods the platform's ``embargo.api`` calls.

The platform's ``Country.country`` is a django-countries ``CountryField`` (its values are the codes);
its cache of each course's allowed countries is left out.
"""

from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class RestrictedCourse(models.Model):
    """A course whose enrollment and courseware the country rules restrict."""

    course_key = CourseKeyField(max_length=255, db_index=True, unique=True)
    enroll_msg_key = models.CharField(max_length=255, default="default")
    access_msg_key = models.CharField(max_length=255, default="default")
    disable_access_check = models.BooleanField(default=False)

    class Meta:
        app_label = "embargo"

    @classmethod
    def is_restricted_course(cls, course_id):
        return cls.objects.filter(course_key=course_id).exists()


class Country(models.Model):
    """A country that rules can name (ISO 3166-1 alpha-2)."""

    country = models.CharField(max_length=2, unique=True)

    class Meta:
        app_label = "embargo"


class CountryAccessRule(models.Model):
    """Lets only the whitelisted countries in, or keeps the blacklisted ones out, of a restricted course."""

    WHITELIST_RULE = "whitelist"
    BLACKLIST_RULE = "blacklist"

    rule_type = models.CharField(max_length=255, default=BLACKLIST_RULE)
    restricted_course = models.ForeignKey(RestrictedCourse, on_delete=models.CASCADE)
    country = models.ForeignKey(Country, on_delete=models.CASCADE)

    class Meta:
        app_label = "embargo"
        unique_together = ("restricted_course", "country")

    @classmethod
    def check_country_access(cls, course_id, country):
        """Whether ``country`` may access the course; the empty country always may."""
        if country == "":
            return True
        rules = dict(
            cls.objects.filter(restricted_course__course_key=course_id).values_list("country__country", "rule_type")
        )
        if rules.get(country) == cls.BLACKLIST_RULE:
            return False
        whitelist = {code for code, rule in rules.items() if rule == cls.WHITELIST_RULE}
        return not whitelist or country in whitelist
