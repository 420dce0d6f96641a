"""Mail through edx-ace, the way the LMS sends its own messages."""

from __future__ import annotations

from ..data import MailMessage

APP_LABEL = "instructor_plugin"


class OpenedxMailService:
    """
    Sends each message type as an edx-ace message with ``edx_ace.ace.send``.

    edx-ace renders ``instructor_plugin/edx_ace/<type>/email/{subject,body,from_name}.txt`` and
    ``{body,head}.html`` (which include the plugin's ``instructor_plugin/emails/<type>/`` templates, so a
    host overrides either) in the message's language, and delivers it over the LMS's transactional
    email channel (``ACE_CHANNEL_TRANSACTIONAL_EMAIL``, else ``ACE_CHANNEL_DEFAULT_EMAIL``) after its
    ``ACE_ENABLED_POLICIES``.
    """

    def send(self, message: MailMessage) -> None:
        """``edx_ace.ace.send(Message(app_label="instructor_plugin", name=<type>, recipient=Recipient(...)))``."""
        from edx_ace import ace
        from edx_ace.message import Message
        from edx_ace.recipient import Recipient

        ace.send(
            Message(
                app_label=APP_LABEL,
                name=message.message_type,
                recipient=Recipient(lms_user_id=message.recipient_user_id, email_address=message.recipient_email),
                language=message.language,
                context=dict(message.context),
                options={"transactional": True},
            )
        )
