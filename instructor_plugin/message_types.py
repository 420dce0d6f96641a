"""
Every message the plugin sends, with the template folder it is rendered from.

The mail backend renders ``instructor_plugin/emails/<type>/{subject.txt,body.txt,body.html}`` under the
recipient's language (the site's default when unknown); a host overrides any of them by shipping a
template at the same path earlier in its template search path.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCOUNT_CREATION_AND_ENROLLMENT",
    "ADD_BETA_TESTER",
    "ALLOWED_ENROLL",
    "ALLOWED_UNENROLL",
    "BATCH_ENROLLMENT_SUMMARY",
    "COURSE_EMAIL",
    "ENROLLED_ENROLL",
    "ENROLLED_UNENROLL",
    "MESSAGE_TYPES",
    "PROCTORING_REVIEW",
    "REMOVE_BETA_TESTER",
    "MessageType",
    "get_message_type",
]

TEMPLATE_ROOT = "instructor_plugin/emails"


@dataclass(frozen=True)
class MessageType:
    """A kind of message: its name (the ``message_type`` of a ``MailMessage``) and who receives it."""

    name: str
    description: str

    @property
    def template_dir(self) -> str:
        return f"{TEMPLATE_ROOT}/{self.name}"


ACCOUNT_CREATION_AND_ENROLLMENT = "account_creation_and_enrollment"
ADD_BETA_TESTER = "add_beta_tester"
ALLOWED_ENROLL = "allowed_enroll"
ALLOWED_UNENROLL = "allowed_unenroll"
BATCH_ENROLLMENT_SUMMARY = "batch_enrollment_summary"
COURSE_EMAIL = "course_email"
ENROLLED_ENROLL = "enrolled_enroll"
ENROLLED_UNENROLL = "enrolled_unenroll"
PROCTORING_REVIEW = "proctoring_review"
REMOVE_BETA_TESTER = "remove_beta_tester"

MESSAGE_TYPES: dict[str, MessageType] = {
    message.name: message
    for message in (
        MessageType(ACCOUNT_CREATION_AND_ENROLLMENT, "A new account was created for the learner and enrolled."),
        MessageType(ADD_BETA_TESTER, "The learner was made a beta tester of the course."),
        MessageType(ALLOWED_ENROLL, "An email without an account was allowed to enroll."),
        MessageType(ALLOWED_UNENROLL, "An email's permission to enroll was withdrawn."),
        MessageType(BATCH_ENROLLMENT_SUMMARY, "To the requester: the outcome of a background batch enrollment."),
        MessageType(COURSE_EMAIL, "An email course staff wrote to recipient groups of the course (bulk email)."),
        MessageType(ENROLLED_ENROLL, "The learner was enrolled in the course."),
        MessageType(ENROLLED_UNENROLL, "The learner was unenrolled from the course."),
        MessageType(PROCTORING_REVIEW, "To the course's proctoring escalation contact: an exam review's result."),
        MessageType(REMOVE_BETA_TESTER, "The learner is no longer a beta tester of the course."),
    )
}


def get_message_type(name: str) -> MessageType:
    """The message type of this name; ``KeyError`` for an unknown one."""
    return MESSAGE_TYPES[name]
