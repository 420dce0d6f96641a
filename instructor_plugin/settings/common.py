"""
Defaults of ``INSTRUCTOR_PLUGIN``, the one dict that configures the plugin.

A host may set any key; :func:`plugin_settings` only fills what is missing. Where
Open edX already has a top-level setting for the same thing (the ``*_MICROFRONTEND_URL``
family, ``FEATURES['ENABLE_SPECIAL_EXAMS']``...), its value becomes the default.
"""

from typing import Any

DEFAULTS: dict[str, Any] = {
    # .. setting_name: INSTRUCTOR_PLUGIN["BACKEND"]
    # .. setting_description: Dotted path of a callable returning the backend (see backends/registry.py).
    "BACKEND": "instructor_plugin.backends.builtin.builtin_backend",
    # .. setting_name: INSTRUCTOR_PLUGIN["BACKEND_SERVICES"]
    # .. setting_description: Capability name -> dotted path of a class replacing that one service.
    "BACKEND_SERVICES": {},
    # .. setting_name: INSTRUCTOR_PLUGIN["MICROFRONTEND_URL"]
    # .. setting_description: Where the instructor-dashboard MFE is served; tab URLs use its path.
    "MICROFRONTEND_URL": "/instructor-dashboard",
    "COMMUNICATIONS_MICROFRONTEND_URL": None,
    "LEARNING_MICROFRONTEND_URL": None,
    "WRITABLE_GRADEBOOK_URL": None,
    "COURSE_AUTHORING_MICROFRONTEND_URL": None,
    "ADMIN_CONSOLE_MICROFRONTEND_URL": None,
    # .. setting_name: INSTRUCTOR_PLUGIN["ORA_GRADING_MICROFRONTEND_URL"]
    # .. setting_description: Where the ORA staff-grading MFE is served; when set, ``GET .../ora`` links
    #   each assessment with a staff step to ``<this URL>/<block id>`` (``staff_ora_grading_url``).
    "ORA_GRADING_MICROFRONTEND_URL": None,
    "STUDIO_URL": None,
    "LMS_ROOT_URL": "",
    # .. setting_name: INSTRUCTOR_PLUGIN["LMS_APIS"]
    # .. setting_description: The LMS APIs around the dashboard the plugin also serves at the originals'
    #   paths (names of ``rest_api/lms_apis.py``, e.g. ``["enrollment", "cohorts"]``). Empty in an LMS,
    #   which serves its own.
    "LMS_APIS": [],
    "LEGACY_DASHBOARD_URL": "/courses/{course_id}/instructor",
    "ANALYTICS_DASHBOARD_URL": "",
    "ANALYTICS_DASHBOARD_NAME": "Insights",
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_ENROLLMENT_INSTR_BUTTONS"]
    # .. setting_description: Above this many active enrollments a course is not "small" (disable_buttons).
    "MAX_ENROLLMENT_INSTR_BUTTONS": 200,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_SYNC_ENROLLMENT_IDENTIFIERS"]
    # .. setting_description: The most identifiers a beta-tester request may carry, and the most an
    #   enrollment request handles at once; a longer enrollment list runs as a background task.
    "MAX_SYNC_ENROLLMENT_IDENTIFIERS": 1000,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_ENROLLMENT_IDENTIFIERS"]
    # .. setting_description: The most identifiers one enrollment request may carry (as a background task).
    "MAX_ENROLLMENT_IDENTIFIERS": 50000,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES"]
    # .. setting_description: The largest CSV of certificate exceptions ``certificates/exceptions/bulk``
    #   accepts; a larger upload is refused with 413.
    "MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES": 2 * 1024 * 1024,
    # .. setting_name: INSTRUCTOR_PLUGIN["ALLOW_AUTOMATED_SIGNUPS"]
    # .. setting_description: Whether course staff may create accounts from a CSV (the legacy
    #   ``register_and_enroll_students``; a site configuration value of the same name wins). Off: 403.
    "ALLOW_AUTOMATED_SIGNUPS": False,
    # .. setting_name: INSTRUCTOR_PLUGIN["ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS"]
    # .. setting_description: Whether that CSV may carry a cohort and a course mode after the four
    #   required columns (a site configuration value of the same name wins).
    "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS": False,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_REGISTRATION_CSV_UPLOAD_BYTES"]
    # .. setting_description: The largest CSV of accounts ``register_and_enroll_students`` reads.
    "MAX_REGISTRATION_CSV_UPLOAD_BYTES": 2_000_000,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_COHORT_CSV_UPLOAD_BYTES"]
    # .. setting_description: The largest CSV of learner-to-cohort assignments the cohorts API's
    #   ``courses/{course_id}/users`` accepts (the original's 2,000,000 bytes); a larger one is a 413.
    "MAX_COHORT_CSV_UPLOAD_BYTES": 2_000_000,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_BULK_GRADES_CSV_UPLOAD_BYTES"]
    # .. setting_description: The largest grades CSV the bulk-grades API's import accepts (the
    #   original's 2 MiB); a larger one is a 413.
    "MAX_BULK_GRADES_CSV_UPLOAD_BYTES": 2 * 1024 * 1024,
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_REQUEST_BODY_BYTES"]
    # .. setting_description: The largest request body (JSON, form or upload) a plugin endpoint reads;
    #   a larger one is refused with 413 ``request_too_large`` before authentication. Keep it above
    #   the upload limits (``MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES``).
    "MAX_REQUEST_BODY_BYTES": int(2.5 * 1024 * 1024),
    # .. setting_name: INSTRUCTOR_PLUGIN["MAX_JSON_DEPTH"]
    # .. setting_description: The deepest nesting of lists and objects a JSON body may have (400 beyond).
    "MAX_JSON_DEPTH": 32,
    # .. setting_name: INSTRUCTOR_PLUGIN["TASK_STALE_AFTER_SECONDS"]
    # .. setting_description: A running background task that reports no progress for this long, or a
    #   pending one that no worker picked up for this long, is taken for dead (its worker was killed,
    #   or failed before it started) and marked failed, which frees its scope.
    "TASK_STALE_AFTER_SECONDS": 900,
    "ENABLE_SPECIAL_EXAMS": False,
    "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE": False,
    "ENABLE_CCX": False,
    "PLATFORM_NAME": "Open edX",
    "SITE_NAME": "localhost",
    "CONTACT_MAILING_ADDRESS": "",
    # .. setting_name: INSTRUCTOR_PLUGIN["SITE_CONFIGURATION"]
    # .. setting_description: Site configuration values for the built-in backend; ``{"orgs": {org: {...}}}``
    #   holds per-org values.
    "SITE_CONFIGURATION": {},
    # .. setting_name: INSTRUCTOR_PLUGIN["REPORT_STORAGE"]
    # .. setting_description: Where report files are kept: ``None`` for Django's default storage, a
    #   ``STORAGES`` alias, or ``{"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {...}}``.
    #   Files are only ever served through the permission-checked download endpoint.
    "REPORT_STORAGE": None,
    # .. setting_name: INSTRUCTOR_PLUGIN["REPORT_PATH_PREFIX"]
    # .. setting_description: Folder of the report storage holding one sub-folder per course (a hash of its id).
    "REPORT_PATH_PREFIX": "instructor_reports",
    # .. setting_name: INSTRUCTOR_PLUGIN["REPORT_PROGRESS_EVERY"]
    # .. setting_description: A report task saves its progress (its heartbeat) every this many rows.
    "REPORT_PROGRESS_EVERY": 1000,
    # .. setting_name: INSTRUCTOR_PLUGIN["BULK_EMAIL_BATCH_SIZE"]
    # .. setting_description: A course email task claims, sends and records this many recipients per
    #   batch (one transaction and one progress report per batch).
    "BULK_EMAIL_BATCH_SIZE": 100,
    # .. setting_name: INSTRUCTOR_PLUGIN["ORA_FILE_STORAGE"]
    # .. setting_description: The storage holding learners' open-response files in the built-in backend
    #   (same forms as ``REPORT_STORAGE``).
    "ORA_FILE_STORAGE": None,
    # .. setting_name: INSTRUCTOR_PLUGIN["PROFILE_INFORMATION_REPORT_PRIVATE_FIELDS"]
    # .. setting_description: Profile fields never written to the enrolled-students report (Open edX's
    #   setting of the same name is the default).
    "PROFILE_INFORMATION_REPORT_PRIVATE_FIELDS": [],
    # .. setting_name: INSTRUCTOR_PLUGIN["PROCTORING_BACKENDS"]
    # .. setting_description: What each proctoring provider offers, for the built-in backend's
    #   ``proctoring_settings``: ``{"proctortrack": {"supports_onboarding": True, "review_dashboard": True}}``.
    #   A provider not listed has neither (the dashboard then hides its Onboarding and Review sub-tabs,
    #   which call edx-proctoring's own endpoints). ``"allow_honor_mode": True`` lets learners in the honor
    #   mode take the provider's proctored exams (``is_enrollment_valid_for_proctoring``, ``EnrollmentsService``).
    #   Open edX's ``PROCTORING_BACKENDS`` setting is the default.
    "PROCTORING_BACKENDS": {},
    # .. setting_name: INSTRUCTOR_PLUGIN["JWT_CREATE_UNKNOWN_USERS"]
    # .. setting_description: When true, a verified JWT for a username the host does not know creates that
    #   user (edx-drf-extensions' behaviour); when false, such a token gets 401 and creates nothing.
    #   A token never sets ``is_staff`` either way.
    "JWT_CREATE_UNKNOWN_USERS": False,
    # .. setting_name: INSTRUCTOR_PLUGIN["AUTHENTICATION_CLASSES"]
    # .. setting_description: DRF authentication classes of every plugin endpoint; an LMS adds its
    #   ``BearerAuthenticationAllowInactiveUser`` here. The plugin's own ``JwtAuthentication`` honours
    #   ``JWT_CREATE_UNKNOWN_USERS``; edx-drf-extensions' class does not.
    "AUTHENTICATION_CLASSES": [
        "instructor_plugin.rest_api.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
    # .. setting_name: INSTRUCTOR_PLUGIN["ENROLLMENT_API_THROTTLE_RATES"]
    # .. setting_description: DRF rates of the enrollment API (``/api/enrollment/v1/``), counted in the
    #   host's default cache: ``user`` for everyone, ``staff`` for global staff and superusers. Callers
    #   with the server-to-server key (``X-Edx-Api-Key`` matching Django's ``EDX_API_KEY``) are never
    #   throttled.
    "ENROLLMENT_API_THROTTLE_RATES": {"user": "40/minute", "staff": "120/minute"},
    # .. toggle_name: INSTRUCTOR_PLUGIN["EMBARGO"]
    # .. toggle_default: False
    # .. toggle_description: Refuse enrollment API enrollments (403 with ``user_message_url``) in restricted
    #   courses from blocked countries, by the backend's ``embargo`` capability. Open edX's
    #   ``FEATURES["EMBARGO"]`` is the default.
    "EMBARGO": False,
    # .. setting_name: INSTRUCTOR_PLUGIN["EMBARGO_IP_COUNTRY_LOOKUP"]
    # .. setting_description: Dotted path of a callable ``lookup(ip) -> "US" | None`` giving the country of a
    #   request IP for the embargo check (a GeoIP reader in an LMS); ``None`` checks the profile country only.
    "EMBARGO_IP_COUNTRY_LOOKUP": None,
    # .. toggle_name: INSTRUCTOR_PLUGIN["ENABLE_ENTERPRISE_INTEGRATION"]
    # .. toggle_default: False
    # .. toggle_description: Let server-to-server enrollment API calls link an enrollment to an enterprise
    #   customer (``linked_enterprise_customer``) through the backend's ``enterprise`` capability. Open edX's
    #   ``FEATURES["ENABLE_ENTERPRISE_INTEGRATION"]`` is the default.
    "ENABLE_ENTERPRISE_INTEGRATION": False,
}

_FROM_HOST_SETTINGS = {
    "MICROFRONTEND_URL": "INSTRUCTOR_MICROFRONTEND_URL",
    "COMMUNICATIONS_MICROFRONTEND_URL": "COMMUNICATIONS_MICROFRONTEND_URL",
    "LEARNING_MICROFRONTEND_URL": "LEARNING_MICROFRONTEND_URL",
    "WRITABLE_GRADEBOOK_URL": "WRITABLE_GRADEBOOK_URL",
    "COURSE_AUTHORING_MICROFRONTEND_URL": "COURSE_AUTHORING_MICROFRONTEND_URL",
    "ADMIN_CONSOLE_MICROFRONTEND_URL": "ADMIN_CONSOLE_MICROFRONTEND_URL",
    "ORA_GRADING_MICROFRONTEND_URL": "ORA_GRADING_MICROFRONTEND_URL",
    "LMS_ROOT_URL": "LMS_ROOT_URL",
    "ANALYTICS_DASHBOARD_URL": "ANALYTICS_DASHBOARD_URL",
    "ANALYTICS_DASHBOARD_NAME": "ANALYTICS_DASHBOARD_NAME",
    "MAX_ENROLLMENT_INSTR_BUTTONS": "MAX_ENROLLMENT_INSTR_BUTTONS",
    "PLATFORM_NAME": "PLATFORM_NAME",
    "ALLOW_AUTOMATED_SIGNUPS": "ALLOW_AUTOMATED_SIGNUPS",
    "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS": "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS",
    "SITE_NAME": "SITE_NAME",
    "CONTACT_MAILING_ADDRESS": "CONTACT_MAILING_ADDRESS",
    "ENABLE_CCX": "CUSTOM_COURSES_EDX",
    "PROFILE_INFORMATION_REPORT_PRIVATE_FIELDS": "PROFILE_INFORMATION_REPORT_PRIVATE_FIELDS",
    "PROCTORING_BACKENDS": "PROCTORING_BACKENDS",
}

_FROM_HOST_FEATURES = {
    "ENABLE_SPECIAL_EXAMS": "ENABLE_SPECIAL_EXAMS",
    "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE": "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE",
    "EMBARGO": "EMBARGO",
    "ENABLE_ENTERPRISE_INTEGRATION": "ENABLE_ENTERPRISE_INTEGRATION",
}


#: Decides per request whose views answer the dashboard's paths, the plugin's or the LMS's (``url_precedence``).
URL_PRECEDENCE_MIDDLEWARE = "instructor_plugin.url_precedence.UrlPrecedenceMiddleware"


def plugin_settings(settings):
    """
    Fill ``settings.INSTRUCTOR_PLUGIN`` with defaults, preferring the host's own settings, and append
    :data:`URL_PRECEDENCE_MIDDLEWARE` to ``MIDDLEWARE`` (after the host's authentication).

    The keys filled from :data:`DEFAULTS` are listed in ``INSTRUCTOR_PLUGIN_DEFAULTED``, so a
    later settings type (devstack, test) can change them without touching what the host chose.
    """
    middleware = list(getattr(settings, "MIDDLEWARE", []))
    if URL_PRECEDENCE_MIDDLEWARE not in middleware:
        settings.MIDDLEWARE = [*middleware, URL_PRECEDENCE_MIDDLEWARE]
    configured = dict(getattr(settings, "INSTRUCTOR_PLUGIN", {}))
    defaulted = set(getattr(settings, "INSTRUCTOR_PLUGIN_DEFAULTED", ())) & set(configured)
    features = getattr(settings, "FEATURES", {})
    for key, default in DEFAULTS.items():
        if key in configured:
            continue
        host_name = _FROM_HOST_SETTINGS.get(key)
        feature_name = _FROM_HOST_FEATURES.get(key)
        if host_name and getattr(settings, host_name, None) is not None:
            configured[key] = getattr(settings, host_name)
        elif feature_name and feature_name in features:
            configured[key] = features[feature_name]
        else:
            configured[key] = default
            defaulted.add(key)
    settings.INSTRUCTOR_PLUGIN = configured
    settings.INSTRUCTOR_PLUGIN_DEFAULTED = sorted(defaulted)


def prefer_over_defaults(settings, values: dict) -> None:
    """Fill the dict, then use ``values`` for the keys the host left to the defaults."""
    plugin_settings(settings)
    for key, value in values.items():
        if key in settings.INSTRUCTOR_PLUGIN_DEFAULTED:
            settings.INSTRUCTOR_PLUGIN[key] = value
