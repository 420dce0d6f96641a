"""Stand-in of openedx-platform ``lms/djangoapps/certificates/data.py``: ``CertificateStatuses``."""


class CertificateStatuses:
    """A certificate's ``status`` values."""

    downloadable = "downloadable"
    notpassing = "notpassing"
    unavailable = "unavailable"
    audit_passing = "audit_passing"
    audit_notpassing = "audit_notpassing"
    honor_passing = "honor_passing"
    error = "error"
