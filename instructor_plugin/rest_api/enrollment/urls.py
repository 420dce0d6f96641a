"""``/api/enrollment/v1/``: the enrollment API's paths, as the original names them."""

from django.urls import re_path

from . import views

app_name = "enrollment_api"

#: Any text up to the last comma: an unknown or malformed username is the view's answer (JSON), not a bare 404 page.
USERNAME = r"(?P<username>[^/]+)"
COURSE_ID = r"(?P<course_id>[^/,]+)"

urlpatterns = [
    re_path(rf"^enrollment/{USERNAME},{COURSE_ID}/?$", views.EnrollmentView.as_view(), name="courseenrollment"),
    re_path(rf"^enrollment/{COURSE_ID}/?$", views.EnrollmentView.as_view(), name="courseenrollment"),
    re_path(r"^enrollment/?$", views.EnrollmentListView.as_view(), name="courseenrollments"),
    re_path(r"^enrollments/?$", views.CourseEnrollmentsApiListView.as_view(), name="courseenrollmentsapilist"),
    re_path(rf"^course/{COURSE_ID}/?$", views.EnrollmentCourseDetailView.as_view(), name="courseenrollmentdetails"),
    re_path(r"^unenroll/$", views.UnenrollmentView.as_view(), name="unenrollment"),
    re_path(r"^roles/$", views.EnrollmentUserRolesView.as_view(), name="roles"),
    re_path(r"^enrollment_allowed/$", views.EnrollmentAllowedView.as_view(), name="courseenrollmentallowed"),
]
