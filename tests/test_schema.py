"""The OpenAPI document and its docs page: every endpoint, every error response, no generator warnings."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from instructor_plugin.reports import REPORT_TYPES
from tests.conftest import COURSE_ID, v2
from tests.due_date_fixtures import add_dated_blocks

SCHEMA_URL = "/api/instructor/v2/schema/"
DOCS_URL = "/api/instructor/v2/docs/"
V2 = "/api/instructor/v2/courses/{course_id}"
LEGACY = "/courses/{course_id}/instructor/api"
SCHEDULES = "/api/instructor_task/v1/schedules/{course_id}/bulk_email"
V1 = "/api/instructor/v1/"
PROGRAMS = "/api/program_enrollments/v1"
PROGRAM = f"{PROGRAMS}/programs/{{program_uuid}}"
ROSTERS = ("enrollments/", "courses/{course_id}/enrollments/")
ENROLLMENT = "/api/enrollment/v1"
GRADES = "/api/grades/v1"
BULK_GRADES = "/api/bulk_grades/course/{course_id}"
COHORTS = "/api/cohorts/v1/courses/{course_id}"
COHORT_SETTINGS = "/api/cohorts/v1/settings/{course_id}"
GROUP_CONFIGURATIONS = "/api/cohorts/v2/courses/{course_id}/group_configurations"
#: The legacy endpoints that read a form (or JSON), all POST.
LEGACY_FORMS = (
    "list_instructor_tasks",
    "reset_due_date",
    "students_update_enrollment",
    "bulk_beta_modify_access",
    "modify_access",
    "list_course_role_members",
    "get_student_progress_url",
    "get_anon_ids",
    "get_students_features",
    "get_students_features/csv",
    "list_forum_members",
    "update_forum_role_membership",
    "list_course_enrollments",
)

#: Legacy writes described in the schema that read a form (or multipart form, or JSON object) body.
LEGACY_FORM_WRITES = (
    "reset_student_attempts",
    "rescore_problem",
    "override_problem_score",
    "change_due_date",
    "show_unit_extensions",
    "show_student_extensions",
    "list_report_downloads",
    "get_problem_responses",
    "reset_student_attempts_for_entrance_exam",
    "rescore_entrance_exam",
    "list_entrance_exam_instructor_tasks",
    "mark_student_can_skip_entrance_exam",
)
#: Legacy writes described in the schema that read no body at all (a report request, the grading policy).
LEGACY_BODILESS_WRITES = (
    "get_grading_config",
    "calculate_grades_csv",
    "problem_grade_report",
    "get_students_who_may_enroll",
    "get_enrolled_students_with_inactive_account",
    "get_proctored_exam_results",
    "export_ora2_data",
    "export_ora2_summary",
    "export_ora2_submission_files",
    "get_course_survey_results",
)
#: The media types of a legacy form body, as its parsers read them.
FORM_MEDIA_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "application/json"}

#: Every endpoint so far, with its methods (HTTP verbs in lower case, as OpenAPI writes them).
EXPECTED_OPERATIONS = {
    V2: {"get"},
    f"{V2}/enrollments": {"get"},
    f"{V2}/enrollments/modify": {"post"},
    f"{V2}/beta_testers/modify": {"post"},
    f"{V2}/learners/{{email_or_username}}": {"get"},
    f"{V2}/team/roles": {"get"},
    f"{V2}/team": {"get", "post"},
    f"{V2}/team/{{email_or_username}}": {"delete"},
    f"{LEGACY}/get_student_enrollment_status": {"post"},
    f"{V2}/reports": {"get"},
    f"{V2}/reports/{{report_type}}/generate": {"post"},
    f"{V2}/reports/{{report_id}}/download": {"get"},
    f"{V2}/emails": {"post"},
    f"{SCHEDULES}/": {"get"},
    f"{SCHEDULES}/{{schedule_id}}": {"patch", "delete"},
    f"{V1}tasks/{{course_id}}": {"get"},
    f"{V1}reports/{{course_id}}": {"get"},
    f"{V1}reports/{{course_id}}/generate/problem_responses": {"post"},
    f"{PROGRAMS}/programs/enrollments/": {"get"},
    f"{PROGRAMS}/programs/readonly_access/": {"get"},
    f"{PROGRAM}/enrollments/": {"get", "post", "patch", "put"},
    f"{PROGRAM}/courses/{{course_id}}/enrollments/": {"get", "post", "patch", "put"},
    f"{PROGRAM}/courses/{{course_id}}/grades/": {"get"},
    f"{PROGRAMS}/users/{{username}}/programs/{{program_uuid}}/courses": {"get"},
    f"{PROGRAM}/overview/": {"get"},
    f"{PROGRAMS}/integration-reset": {"post"},
    f"{PROGRAMS}/integration-reset/": {"post"},
    f"{ENROLLMENT}/enrollment/": {"get", "post"},
    f"{ENROLLMENT}/enrollment/{{course_id}}/": {"get"},
    f"{ENROLLMENT}/enrollment/{{username}},{{course_id}}/": {"get"},
    f"{ENROLLMENT}/enrollments/": {"get"},
    f"{ENROLLMENT}/course/{{course_id}}/": {"get"},
    f"{ENROLLMENT}/unenroll/": {"post"},
    f"{ENROLLMENT}/roles/": {"get"},
    f"{ENROLLMENT}/enrollment_allowed/": {"get", "post", "delete"},
    f"{GRADES}/courses/": {"get"},
    f"{GRADES}/courses/{{course_id}}/": {"get"},
    f"{GRADES}/policy/courses/{{course_id}}/": {"get"},
    f"{GRADES}/gradebook/{{course_id}}/": {"get"},
    f"{GRADES}/gradebook/{{course_id}}/bulk-update": {"post"},
    f"{GRADES}/gradebook/{{course_id}}/grading-info": {"get"},
    f"{GRADES}/subsection/{{subsection_id}}/": {"get"},
    f"{GRADES}/section_grades_breakdown/": {"get"},
    f"{GRADES}/submission_history/{{course_id}}/": {"get"},
    f"{BULK_GRADES}/": {"get", "post"},
    f"{BULK_GRADES}/history/": {"get"},
    f"{BULK_GRADES}/intervention/": {"get"},
    f"{LEGACY}/send_email": {"post"},
    f"{LEGACY}/list_background_email_tasks": {"post"},
    f"{LEGACY}/list_email_content": {"post"},
    f"{LEGACY}/add_users_to_cohorts": {"post"},
    f"{LEGACY}/get_issued_certificates/": {"get", "post"},
    f"{LEGACY}/certificate_task/{{action}}": {"post"},
    f"{LEGACY}/enable_certificate_generation": {"post"},
    f"{LEGACY}/start_certificate_generation": {"post"},
    f"{LEGACY}/start_certificate_regeneration": {"post"},
    f"{LEGACY}/certificate_exception_view/": {"post", "delete"},
    f"{LEGACY}/generate_certificate_exceptions/{{generate_for}}": {"post"},
    f"{LEGACY}/generate_bulk_certificate_exceptions": {"post"},
    f"{LEGACY}/certificate_invalidation_view/": {"post", "delete"},
    **{f"{LEGACY}/{name}": {"post"} for name in (*LEGACY_FORM_WRITES, *LEGACY_BODILESS_WRITES)},
    **{f"{LEGACY}/{name}": {"post"} for name in LEGACY_FORMS},
    f"{LEGACY}/register_and_enroll_students": {"post"},
    COHORT_SETTINGS: {"get", "put"},
    f"{COHORTS}/cohorts/": {"get", "post"},
    f"{COHORTS}/cohorts/{{cohort_id}}": {"get", "patch"},
    f"{COHORTS}/cohorts/{{cohort_id}}/users/": {"get", "post"},
    f"{COHORTS}/cohorts/{{cohort_id}}/users/{{username}}": {"get", "post", "delete"},
    f"{COHORTS}/users/": {"post"},
    GROUP_CONFIGURATIONS: {"get"},
    f"{GROUP_CONFIGURATIONS}/{{configuration_id}}": {"get"},
}
#: Operations whose success is a 204 without a body.
NO_CONTENT = {
    (f"{SCHEDULES}/{{schedule_id}}", "delete"),
    (f"{ENROLLMENT}/enrollment_allowed/", "delete"),
    (f"{LEGACY}/certificate_exception_view/", "delete"),
    (f"{LEGACY}/certificate_invalidation_view/", "delete"),
    (f"{COHORTS}/cohorts/{{cohort_id}}", "patch"),
    (f"{COHORTS}/cohorts/{{cohort_id}}/users/{{username}}", "delete"),
    (f"{COHORTS}/users/", "post"),
}
#: Program roster writes and grades answer 200, 207 (some learners failed) or 204 (nothing asked, no row).
MULTI_STATUS = {
    *((f"{PROGRAM}/{roster}", method) for roster in ROSTERS for method in ("post", "patch", "put")),
    (f"{PROGRAM}/courses/{{course_id}}/grades/", "get"),
}
#: Operations whose successes are other than 200 and 202.
OTHER_SUCCESSES = {
    (f"{ENROLLMENT}/enrollment_allowed/", "post"): ["201"],
    (f"{ENROLLMENT}/unenroll/", "post"): ["200", "204"],
    # A 302 back to the dashboard (see REDIRECTS).
    (f"{LEGACY}/enable_certificate_generation", "post"): [],
}
#: Operations that may answer a 302 (without a body) back to the legacy dashboard.
REDIRECTS = {
    (f"{LEGACY}/enable_certificate_generation", "post"),
    (f"{LEGACY}/certificate_task/{{action}}", "post"),
}
#: Operations anyone may call, without credentials.
PUBLIC = {(f"{ENROLLMENT}/course/{{course_id}}/", "get")}
#: Endpoints answering a file rather than JSON, with the media types their success documents.
FILE_DOWNLOADS = {
    f"{V2}/reports/{{report_id}}/download": ("text/csv", "application/zip"),
    (f"{BULK_GRADES}/", "get"): ("text/csv",),
    f"{BULK_GRADES}/intervention/": ("text/csv",),
    f"{LEGACY}/get_issued_certificates/": ("application/json", "text/csv"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ERROR_STATUSES = {"400", "401", "403", "404"}


@pytest.fixture
def document(db, client) -> dict:
    response = client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_schema_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Instructor API v2"
    assert document["info"]["version"]


def test_schema_lists_every_endpoint_with_its_methods(document):
    listed = {path: {m for m in item if m in HTTP_METHODS} for path, item in document["paths"].items()}

    assert {path: listed.get(path) for path in EXPECTED_OPERATIONS} == EXPECTED_OPERATIONS


def test_schema_lists_only_plugin_paths(document):
    assert document["paths"]
    for path in document["paths"]:
        assert path.startswith(
            (V2, LEGACY, SCHEDULES, V1, PROGRAMS, ENROLLMENT, GRADES, BULK_GRADES, "/api/cohorts/")
        ), path
    assert SCHEMA_URL not in document["paths"]
    assert DOCS_URL not in document["paths"]


def test_every_path_parameter_is_documented(document):
    for path, _method, operation in operations(document):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        in_path = set(re.findall(r"\{(\w+)\}", path))
        assert declared == in_path, path


@pytest.mark.parametrize("status", sorted(ERROR_STATUSES))
def test_every_operation_documents_the_error_envelope(document, status):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert status in responses, (path, method)
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, method)


def test_every_operation_documents_its_success(document):
    for path, method, operation in operations(document):
        successes = sorted(status for status in operation["responses"] if status.startswith("2"))
        if (path, method) in NO_CONTENT:
            assert successes == ["204"], (path, method)
            continue
        if (path, method) in MULTI_STATUS:
            assert successes == ["200", "204", "207"], (path, method)
            assert "content" not in operation["responses"]["204"], (path, method)
            successes.remove("204")
        assert successes == OTHER_SUCCESSES.get((path, method), successes), (path, method)
        assert successes in (["200"], ["202"], ["200", "202"], ["200", "207"], *OTHER_SUCCESSES.values()), (
            path,
            method,
        )
        for status in successes:
            if status == "204":
                continue
            content = operation["responses"][status]["content"]
            media_types = FILE_DOWNLOADS.get((path, method), FILE_DOWNLOADS.get(path, ("application/json",)))
            assert set(content) == set(media_types), (path, method)
            for media_type in content:
                assert content[media_type]["schema"], (path, method, media_type)


#: The writes that take a file upload instead of JSON.
MULTIPART_UPLOADS = {
    "/api/instructor/v2/courses/{course_id}/certificates/exceptions/bulk",
    f"{BULK_GRADES}/",
    f"{LEGACY}/add_users_to_cohorts",
    f"{LEGACY}/generate_bulk_certificate_exceptions",
    f"{LEGACY}/register_and_enroll_students",
    f"{COHORTS}/users/",
}
#: Legacy writes that read a form (as the legacy dashboard sends it) as well as JSON.
FORM_BODIES = {
    f"{LEGACY}/send_email",
    f"{LEGACY}/start_certificate_regeneration",
    f"{LEGACY}/enable_certificate_generation",
    f"{LEGACY}/certificate_task/{{action}}",
    f"{LEGACY}/certificate_exception_view/",
    f"{LEGACY}/certificate_invalidation_view/",
}


#: The DELETEs that take a body (the MFE sends one), with its component.
DELETE_BODIES = {
    f"{V2}/team/{{email_or_username}}": "TeamRevokeRequest",
    f"{V2}/certificates/exceptions": "CertificateLearnerRequest",
    f"{V2}/certificates/invalidations": "CertificateLearnerRequest",
    f"{V2}/special_exams/{{exam_id}}/allowance": "RemoveAllowanceRequest",
    f"{V2}/{{problem}}/grading/state": "LearnerParameterRequest",
    f"{ENROLLMENT}/enrollment_allowed/": "CourseEnrollmentAllowedDeleteRequest",
    f"{LEGACY}/certificate_exception_view/": "CertificateExceptionRequest",
    f"{LEGACY}/certificate_invalidation_view/": "CertificateInvalidationRequest",
}


def test_every_write_documents_its_request_body(document):
    bodiless = {f"{LEGACY}/{name}" for name in LEGACY_BODILESS_WRITES}
    for path, method, operation in operations(document):
        if path in bodiless:
            assert "requestBody" not in operation, path
            continue
        if method in {"post", "put", "patch"}:
            media_type = "multipart/form-data" if path in MULTIPART_UPLOADS else "application/json"
            assert operation["requestBody"]["content"][media_type]["schema"], (path, method)
            if path in FORM_BODIES:
                assert operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"], path


def test_redirects_are_documented(document):
    for path, method in REDIRECTS:
        redirect = document["paths"][path][method]["responses"]["302"]
        assert "content" not in redirect, (path, method)
        assert redirect["description"], (path, method)


def test_legacy_path_parameters_list_their_values(document):
    def values(path: str, name: str) -> list[str]:
        (parameter,) = [p for p in document["paths"][path]["post"]["parameters"] if p["name"] == name]
        return parameter["schema"]["enum"]

    assert values(f"{LEGACY}/certificate_task/{{action}}", "action") == ["generate", "regenerate", "toggle"]
    assert values(f"{LEGACY}/generate_certificate_exceptions/{{generate_for}}", "generate_for") == ["all", "new"]


def test_legacy_writes_document_their_form_body_in_every_media_type(document):
    for name in LEGACY_FORM_WRITES:
        content = document["paths"][f"{LEGACY}/{name}"]["post"]["requestBody"]["content"]

        assert set(content) == FORM_MEDIA_TYPES, name
        assert len({json.dumps(content[media_type]["schema"]) for media_type in content}) == 1, name


def test_legacy_due_date_tables_document_their_row_keys(document, api_v2_on, users, course):
    dated = add_dated_blocks(course)
    client = APIClient()
    client.force_authenticate(users["global_staff"])
    legacy = f"/courses/{COURSE_ID}/instructor/api"
    unit = str(dated.hw1.usage_key)
    change = {"student": "learner", "url": unit, "due_datetime": "01/02/2031 10:00"}
    assert client.post(f"{legacy}/change_due_date", change).status_code == 200

    for name, body in (("show_unit_extensions", {"url": unit}), ("show_student_extensions", {"student": "learner"})):
        response = client.post(f"{legacy}/{name}", body)
        assert response.status_code == 200, response.content
        (row,) = response.json()["data"]
        schema = document["paths"][f"{LEGACY}/{name}"]["post"]["responses"]["200"]["content"]["application/json"]
        table = resolve(document, schema["schema"])
        documented_row = resolve(document, table["properties"]["data"]["items"])

        assert set(response.json()) == set(table["properties"]), name
        assert set(row) == set(documented_row["properties"]), name


def test_deletes_that_take_a_body_document_it(document):
    deletes = {path: operation for path, method, operation in operations(document) if method == "delete"}

    for path, component in DELETE_BODIES.items():
        schema = deletes[path]["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{component}"}, path
    for path in set(deletes) - set(DELETE_BODIES):
        assert "requestBody" not in deletes[path], path


FORM_MEDIA_TYPES = {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}


@pytest.mark.parametrize("name", LEGACY_FORMS)
def test_legacy_writes_document_form_bodies(document, name):
    """The legacy views read form fields as the dashboard posts them (and JSON as the MFE does)."""
    content = document["paths"][f"{LEGACY}/{name}"]["post"]["requestBody"]["content"]

    assert set(content) == FORM_MEDIA_TYPES
    assert len({json.dumps(media["schema"]) for media in content.values()}) == 1


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        (f"{LEGACY}/register_and_enroll_students", {"students_list", "email-students"}),
        (f"{COHORTS}/users/", {"uploaded-file"}),
    ],
)
def test_uploads_document_only_their_multipart_file(document, path, fields):
    content = document["paths"][path]["post"]["requestBody"]["content"]
    schema = resolve(document, content["multipart/form-data"]["schema"])

    assert set(content) == {"multipart/form-data"}
    assert set(schema["properties"]) == fields
    assert {schema["properties"][name].get("format") for name in fields} >= {"binary"}


@pytest.mark.parametrize(
    ("name", "fixed"), [("list_course_role_members", "count"), ("list_forum_members", "division_scheme")]
)
def test_legacy_role_lists_document_the_role_named_key(document, name, fixed):
    """``{"course_id", "<rolename>": [...]}``: the role's key is any key other than the fixed ones."""
    schema = document["paths"][f"{LEGACY}/{name}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert {"course_id", fixed} <= set(schema["properties"])
    assert schema["additionalProperties"]["type"] == "array"
    assert "username" in schema["additionalProperties"]["items"]["properties"]


def test_cohort_paths_leave_out_the_methods_they_refuse(document):
    """A method a cohorts path answers only with the original's 405 is not an operation of that path."""
    assert "patch" not in document["paths"][f"{COHORTS}/cohorts/"]
    assert "post" not in document["paths"][f"{COHORTS}/cohorts/{{cohort_id}}"]
    assert "delete" not in document["paths"][f"{COHORTS}/cohorts/{{cohort_id}}/users/"]


def test_request_lists_that_refuse_empty_say_min_items(document):
    schemas = document["components"]["schemas"]

    assert schemas["EnrollmentModifyRequest"]["properties"]["identifier"]["minItems"] == 1
    assert schemas["TeamModifyRequest"]["properties"]["identifiers"]["minItems"] == 1
    assert schemas["TeamRevokeRequest"]["properties"]["roles"]["minItems"] == 1


def test_request_strings_that_refuse_blank_say_min_length(document):
    schemas = document["components"]["schemas"]

    assert schemas["CertificateLearnerRequest"]["properties"]["username"]["minLength"] == 1
    assert schemas["EnrollmentModifyRequest"]["properties"]["identifier"]["items"]["minLength"] == 1
    assert "minLength" not in schemas["EnrollmentModifyRequest"]["properties"]["reason"]
    # Responses keep their own components, without request-only constraints.
    assert "minLength" not in schemas["EnrolledLearner"]["properties"]["username"]


PAGINATED = f"{V2}/enrollments"


def test_page_parameters_say_their_bounds(document):
    parameters = {p["name"]: p["schema"] for p in document["paths"][PAGINATED]["get"]["parameters"]}

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_report_type_is_one_of_the_report_types(document):
    operation = document["paths"][f"{V2}/reports/{{report_type}}/generate"]["post"]
    (report_type,) = [p for p in operation["parameters"] if p["name"] == "report_type"]

    assert report_type["in"] == "path"
    assert report_type["schema"]["enum"] == sorted(REPORT_TYPES)


def test_request_components_are_named_once(document):
    names = set(document["components"]["schemas"])

    assert not {name for name in names if name.endswith("RequestRequest")}


def test_the_error_envelope_component(document):
    envelope = document["components"]["schemas"]["ErrorEnvelope"]

    assert set(envelope["properties"]) == {"error", "error_code", "detail", "developer_message", "field_errors"}
    assert set(envelope["required"]) == {"error", "error_code", "detail", "developer_message"}


def test_operations_declare_jwt_and_session_auth(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["jwtAuth"]["in"] == "header"
    assert schemes["sessionAuth"]["in"] == "cookie"
    for path, method, operation in operations(document):
        if (path, method) in PUBLIC:
            assert "security" not in operation, (path, method)
            continue
        assert {"jwtAuth": []} in operation["security"], (path, method)
        assert {"sessionAuth": []} in operation["security"], (path, method)


def test_operation_ids_are_unique(document):
    ids = [operation["operationId"] for _path, _method, operation in operations(document)]
    assert len(ids) == len(set(ids))


def test_schema_is_public_and_needs_no_flag(db, client):
    """The schema describes the API even before the v2 flag opens it."""
    response = client.get(SCHEMA_URL, {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")


def test_generating_the_schema_gives_no_warnings_or_errors(db, client):
    GENERATOR_STATS.reset()

    assert client.get(SCHEMA_URL, {"format": "json"}).status_code == 200

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}


def test_spectacular_command_validates_without_warnings(db, tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "s.yml"

    call_command(
        "spectacular", "--urlconf", "instructor_plugin.urls", "--validate", "--fail-on-warn", "--file", str(target)
    )

    generated = yaml.safe_load(target.read_text())
    assert set(EXPECTED_OPERATIONS) <= set(generated["paths"])


def test_docs_page_is_html(db, client):
    response = client.get(DOCS_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "<html" in body.lower()
    assert "swagger" in body.lower()
    assert SCHEMA_URL in body


#: One real call per operation: (documented path, method, concrete URL, body).
REAL_CALLS = [
    (V2, "get", v2(), None),
    (f"{V2}/enrollments", "get", v2(suffix="/enrollments"), None),
    (
        f"{V2}/enrollments/modify",
        "post",
        v2(suffix="/enrollments/modify"),
        {"identifier": ["learner"], "action": "enroll"},
    ),
    (
        f"{V2}/beta_testers/modify",
        "post",
        v2(suffix="/beta_testers/modify"),
        {"identifier": ["learner"], "action": "add"},
    ),
    (f"{V2}/learners/{{email_or_username}}", "get", v2(suffix="/learners/learner"), None),
    (f"{V2}/team/roles", "get", v2(suffix="/team/roles"), None),
    (f"{V2}/team", "get", v2(suffix="/team"), None),
    (f"{V2}/team", "post", v2(suffix="/team"), {"identifiers": ["learner"], "role": "Moderator", "action": "allow"}),
    (f"{V2}/team/{{email_or_username}}", "delete", v2(suffix="/team/learner"), {"roles": ["Moderator"]}),
    (
        f"{LEGACY}/get_student_enrollment_status",
        "post",
        f"/courses/{COURSE_ID}/instructor/api/get_student_enrollment_status",
        {"unique_student_identifier": "learner"},
    ),
    (f"{ENROLLMENT}/course/{{course_id}}/", "get", f"{ENROLLMENT}/course/{COURSE_ID}", None),
    (
        f"{ENROLLMENT}/enrollment/{{username}},{{course_id}}/",
        "get",
        f"{ENROLLMENT}/enrollment/learner,{COURSE_ID}",
        None,
    ),
    (f"{ENROLLMENT}/roles/", "get", f"{ENROLLMENT}/roles/", None),
    (f"{ENROLLMENT}/enrollments/", "get", f"{ENROLLMENT}/enrollments", None),
    *(
        (f"{LEGACY}/{name}", "post", f"/courses/{COURSE_ID}/instructor/api/{name}", None)
        for name in (
            "list_background_email_tasks",
            "list_email_content",
            "get_issued_certificates/",
            "start_certificate_generation",
        )
    ),
    (
        f"{LEGACY}/generate_certificate_exceptions/{{generate_for}}",
        "post",
        f"/courses/{COURSE_ID}/instructor/api/generate_certificate_exceptions/all",
        None,
    ),
    *(
        (f"{LEGACY}/{name}", "post", f"/courses/{COURSE_ID}/instructor/api/{name}", body)
        for name, body in (
            ("get_grading_config", None),
            ("list_report_downloads", {}),
            ("calculate_grades_csv", None),
            ("get_proctored_exam_results", None),
            ("show_student_extensions", {"student": "learner"}),
        )
    ),
    *(
        (f"{LEGACY}/{name}", "post", f"/courses/{COURSE_ID}/instructor/api/{name}", body)
        for name, body in [
            ("students_update_enrollment", {"identifiers": "learner", "action": "enroll"}),
            ("bulk_beta_modify_access", {"identifiers": "learner", "action": "add"}),
            ("modify_access", {"unique_student_identifier": "learner", "rolename": "staff", "action": "allow"}),
            ("get_student_progress_url", {"unique_student_identifier": "learner"}),
            ("get_students_features", {}),
            ("list_course_enrollments", {}),
            (
                "update_forum_role_membership",
                {"unique_student_identifier": "learner", "rolename": "Moderator", "action": "allow"},
            ),
        ]
    ),
    (COHORT_SETTINGS, "get", f"/api/cohorts/v1/settings/{COURSE_ID}", None),
    (GROUP_CONFIGURATIONS, "get", f"/api/cohorts/v2/courses/{COURSE_ID}/group_configurations", None),
]


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema or "allOf" in schema or "oneOf" in schema:
        if "oneOf" in schema:
            # The first alternative is the JSON answer (``get_students_features``: the profiles, not the report).
            schema = schema["oneOf"][0]
            continue
        if "allOf" in schema:
            (schema,) = schema["allOf"]
            continue
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@pytest.mark.parametrize(("path", "method", "url", "body"), REAL_CALLS, ids=[f"{c[1]} {c[0]}" for c in REAL_CALLS])
def test_documented_success_response_lists_every_key_returned(document, api_v2_on, users, path, method, url, body):
    """What the endpoint answers is what the schema says: no undocumented top-level or result-row keys."""
    client = APIClient()
    client.force_authenticate(users["global_staff"])
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 200, response.content
    real = response.json()

    documented = resolve(
        document, document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    )

    assert set(real) - set(documented["properties"]) == set(), path
    if isinstance(real.get("results"), list) and real["results"]:
        row_schema = resolve(document, documented["properties"]["results"]["items"])
        assert set(real["results"][0]) - set(row_schema["properties"]) == set(), path
