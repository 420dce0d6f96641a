"""The Open edX backend's mail goes through edx-ace (the real library), rendered from the plugin's ACE templates."""

from __future__ import annotations

import pytest
from django.core import mail

from instructor_plugin.backends.data import MailMessage
from instructor_plugin.backends.openedx.mail import OpenedxMailService

CONTEXT = {
    "display_name": "Mail 101",
    "site_name": "lms.test",
    "course_url": "http://lms.test/courses/course-v1:MailX+M1+2030/",
    "platform_name": "Test Platform",
    "full_name": "Ann Archer",
    "email_address": "ann@example.com",
}


def send(message_type="enrolled_enroll", **fields):
    fields.setdefault("recipient_email", "ann@example.com")
    OpenedxMailService().send(MailMessage(message_type=message_type, context=CONTEXT, **fields))


def test_message_delivered_over_the_ace_email_channel():
    send(recipient_user_id=7)

    [sent] = mail.outbox
    assert sent.to == ["ann@example.com"]
    assert sent.from_email == "support@lms.test"
    assert sent.subject == "You have been enrolled in Mail 101"
    assert "Dear Ann Archer," in sent.body
    assert "visit http://lms.test/courses/course-v1:MailX+M1+2030/" in sent.body
    [(html, content_type)] = sent.alternatives
    assert content_type == "text/html"
    assert "<p>Dear Ann Archer,</p>" in html
    assert '<meta charset="utf-8">' in html
    # ACE wraps the body in its own page: the plugin's template gives only the body's content.
    assert html.count("<html") == 1


def test_message_to_an_email_without_an_account():
    send("allowed_enroll", recipient_user_id=None, recipient_email="new@example.com")

    assert [(sent.to, sent.subject) for sent in mail.outbox] == [
        (["new@example.com"], "You have been invited to register for Mail 101")
    ]


@pytest.mark.parametrize(
    "message_type",
    [
        "account_creation_and_enrollment",
        "batch_enrollment_summary",
        "course_email",
        "proctoring_review",
    ],
)
def test_every_message_type_has_ace_templates(message_type):
    """The types beyond the contract's six (other callers' contexts) render and go out too."""
    send(message_type)

    assert [sent.to for sent in mail.outbox] == [["ann@example.com"]]
