"""The plugin's message types: every one renders, a host overrides templates, the recipient's language, summaries."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from instructor_plugin.backends.builtin.mail import DjangoMailService
from instructor_plugin.backends.data import MailMessage
from instructor_plugin.enrollment import send_mail_to_student
from instructor_plugin.message_types import (
    ACCOUNT_CREATION_AND_ENROLLMENT,
    ENROLLED_ENROLL,
    MESSAGE_TYPES,
    get_message_type,
)
from tests.conftest import make_user, v2

CONTEXT = {
    "display_name": "Test Course",
    "site_name": "example.com",
    "course_url": "https://example.com/courses/x/",
    "platform_name": "Open edX",
    "email_address": "someone@example.com",
    "full_name": "Someone",
    "username": "someone",
    "password_reset_url": "https://example.com/password_reset/",
    "action": "enroll",
    "successful_operations": 2,
    "failed_operations": 1,
    "total_students": 3,
    "task_id": "t-1",
}

LANGUAGE_PROBE = "{% load i18n %}{% get_current_language as LANGUAGE %}rendered in {{ LANGUAGE }}"


@pytest.fixture
def host_templates(settings, tmp_path):
    """A host template folder searched before the plugin's; ``write(type, file, text)`` adds an override."""
    settings.TEMPLATES = [{**django_settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]

    def write(message_type: str, name: str, text: str) -> None:
        folder = tmp_path / get_message_type(message_type).template_dir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)

    return write


@pytest.mark.parametrize("message_type", sorted(MESSAGE_TYPES))
def test_every_message_type_renders_its_three_templates(mailoutbox, message_type):
    DjangoMailService().send(
        MailMessage(message_type=message_type, recipient_email="someone@example.com", context=CONTEXT)
    )

    (message,) = mailoutbox
    assert message.subject and "\n" not in message.subject
    assert message.body.strip()
    assert message.alternatives[0][1] == "text/html"


def test_an_unknown_message_type_is_a_key_error(db):
    with pytest.raises(KeyError):
        send_mail_to_student("someone@example.com", {"message_type": "nope"})


def test_account_creation_message(mailoutbox):
    DjangoMailService().send(
        MailMessage(
            message_type=ACCOUNT_CREATION_AND_ENROLLMENT, recipient_email="someone@example.com", context=CONTEXT
        )
    )

    (message,) = mailoutbox
    assert message.subject == "You have been enrolled in Test Course"
    assert "An account has been created for you on example.com" in message.body
    assert "Your username is someone." in message.body


def test_a_host_template_overrides_the_plugin_s(host_templates, mailoutbox):
    host_templates(ENROLLED_ENROLL, "subject.txt", "Welcome aboard {{ display_name }}")

    DjangoMailService().send(
        MailMessage(message_type=ENROLLED_ENROLL, recipient_email="a@example.com", context=CONTEXT)
    )

    (message,) = mailoutbox
    assert message.subject == "Welcome aboard Test Course"
    assert "You have been enrolled in Test Course at example.com" in message.body


@pytest.mark.parametrize(("language", "rendered"), [("es", "es"), ("", django_settings.LANGUAGE_CODE)])
def test_a_learner_s_message_is_rendered_in_their_language(
    host_templates, api_v2_on, client, users, mailoutbox, django_capture_on_commit_callbacks, language, rendered
):
    host_templates(ENROLLED_ENROLL, "body.txt", LANGUAGE_PROBE)
    make_user("hablante", language=language)
    client.force_authenticate(users["course_staff"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            v2(suffix="/enrollments/modify"),
            {"identifier": ["hablante"], "action": "enroll", "email_students": True},
            format="json",
        )

    (message,) = mailoutbox
    assert message.to == ["hablante@example.com"]
    assert message.body == f"rendered in {rendered}"


@pytest.fixture
def small_sync_limit(settings):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_SYNC_ENROLLMENT_IDENTIFIERS": 2}


def test_a_background_batch_mails_its_summary_to_the_requester(
    small_sync_limit, api_v2_on, client, users, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_authenticate(users["course_staff"])
    body = {"identifier": ["outsider", "new@example.com", "not an identifier"], "action": "enroll"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(v2(suffix="/enrollments/modify"), body, format="json")

    assert response.status_code == 202
    (message,) = mailoutbox
    assert message.to == [users["course_staff"].email]
    assert message.subject == "Batch enroll finished for Test Course"
    assert "2 of 3 identifiers succeeded, 1 failed" in message.body
    assert response.json()["task_id"] in message.body
