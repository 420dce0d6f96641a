"""
The backend interfaces are enforced by mypy: a service that does not conform is a type error.

One small module is checked with the project's own mypy configuration (the one ``make typecheck``
uses); the modules it imports are analysed silently, so only its own lines can be reported.
"""

import textwrap
from pathlib import Path

from mypy import api

REPO_ROOT = Path(__file__).resolve().parent.parent

SERVICES = textwrap.dedent(
    """
    from instructor_plugin.backends.builtin.mail import DjangoMailService
    from instructor_plugin.backends.data import MailMessage
    from instructor_plugin.backends.registry import Backend


    class MailWithoutSend:
        def deliver(self, message: MailMessage) -> None: ...


    class MailSendingText:
        def send(self, message: str) -> None: ...


    class ConformingMail:
        def send(self, message: MailMessage) -> None: ...


    missing_method = Backend(mail=MailWithoutSend())
    wrong_signature = Backend(mail=MailSendingText())
    replaced_wrongly = Backend().replace(mail=MailSendingText())
    conforming = Backend(mail=ConformingMail())
    builtin = Backend(mail=DjangoMailService())
    """
)


def line_of(source, text):
    return next(number for number, line in enumerate(source.splitlines(), start=1) if line.startswith(text))


def test_mypy_refuses_services_that_do_not_conform_to_their_interface(tmp_path):
    module = tmp_path / "services_under_check.py"
    module.write_text(SERVICES)

    report, errors, status = api.run(
        [
            "--config-file",
            str(REPO_ROOT / "setup.cfg"),
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "mypy_cache"),
            str(module),
        ]
    )

    assert errors == ""
    assert status == 1
    reported = {int(line.split(":")[1]): line for line in report.splitlines() if ": error:" in line}
    assert sorted(reported) == [
        line_of(SERVICES, "missing_method"),
        line_of(SERVICES, "wrong_signature"),
        line_of(SERVICES, "replaced_wrongly"),
    ]
    assert (
        'Argument "mail" to "Backend" has incompatible type "MailWithoutSend"'
        in reported[line_of(SERVICES, "missing_method")]
    )
    assert '"MailSendingText"; expected "MailService"' in reported[line_of(SERVICES, "wrong_signature")]
    assert '"MailSendingText"; expected "MailService"' in reported[line_of(SERVICES, "replaced_wrongly")]
