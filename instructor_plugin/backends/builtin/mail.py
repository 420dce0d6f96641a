"""Mail of the built-in backend: Django templates sent with Django's mail."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from ..data import MailMessage

TEMPLATE_DIR = "instructor_plugin/emails"


class DjangoMailService:
    """
    Renders ``instructor_plugin/emails/<type>/{subject.txt,body.txt,body.html}`` and sends them.

    A host overrides any template by shipping one at the same path earlier in its
    template search path. The message is rendered in the recipient's language.
    """

    def send(self, message: MailMessage) -> None:
        with translation.override(message.language or settings.LANGUAGE_CODE):
            prefix = f"{TEMPLATE_DIR}/{message.message_type}"
            subject = " ".join(render_to_string(f"{prefix}/subject.txt", message.context).split())
            text = render_to_string(f"{prefix}/body.txt", message.context)
            html = render_to_string(f"{prefix}/body.html", message.context)
        email = EmailMultiAlternatives(subject=subject, body=text, to=[message.recipient_email])
        email.attach_alternative(html, "text/html")
        email.send()
