"""The Open edX enterprise service beyond the contract: an account that does not exist."""

from __future__ import annotations

import pytest
from enterprise.models import EnterpriseCourseEnrollment
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.exceptions import EnterpriseLinkFailed
from instructor_plugin.backends.openedx import openedx_backend

COURSE = CourseKey.from_string("course-v1:AcmeX+A1+2026")
CUSTOMER = "5a7c2b1e-9d3f-4e6a-8b2c-1f0e9d8c7b6a"


@pytest.mark.django_db
def test_an_unknown_account_is_refused_before_the_api_is_called():
    enterprise = openedx_backend().enterprise

    with pytest.raises(EnterpriseLinkFailed, match="no user 404"):
        enterprise.create_enterprise_course_enrollment(404, COURSE)
    with pytest.raises(EnterpriseLinkFailed, match="no user 404"):
        enterprise.provide_consent(404, COURSE, CUSTOMER)
    assert not EnterpriseCourseEnrollment.objects.exists()
