"""openedx-filters pipeline steps the enrollment tests configure in ``OPEN_EDX_FILTERS_CONFIG``."""

from openedx_filters import PipelineStep
from openedx_filters.learning.filters import CourseEnrollmentStarted, CourseEnrollmentViewStarted

#: Users whose email ends so may not enroll anywhere.
REFUSED_DOMAIN = "@refused.example.com"


class RefuseRefusedDomain(PipelineStep):
    """``CourseEnrollmentStarted``: refuse users of :data:`REFUSED_DOMAIN`; everyone else unchanged."""

    def run_filter(self, user, course_key, mode):
        if user.email.endswith(REFUSED_DOMAIN):
            raise CourseEnrollmentStarted.PreventEnrollment(f"{user.username} may not enroll in {course_key}.")
        return {"user": user, "course_key": course_key, "mode": mode}


class AuditBecomesHonor(PipelineStep):
    """``CourseEnrollmentStarted``: turn a requested ``audit`` into ``honor``."""

    def run_filter(self, user, course_key, mode):
        return {"user": user, "course_key": course_key, "mode": "honor" if mode == "audit" else mode}


class BrowsersOnly(PipelineStep):
    """``CourseEnrollmentViewStarted``: refuse enrollments asked by a server-to-server caller."""

    def run_filter(self, user, course_key, requester_is_backend_service):
        if requester_is_backend_service:
            raise CourseEnrollmentViewStarted.PreventEnrollment("Backend services may not enroll here.")
        return {"user": user, "course_key": course_key, "requester_is_backend_service": requester_is_backend_service}
