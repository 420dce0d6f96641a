"""Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/exceptions.py``: the errors the reads raise."""


class ProgramDoesNotExistException(Exception):
    """No program of the catalog cache has the uuid."""


class ProgramHasNoAuthoringOrganizationException(Exception):
    """The program names no authoring organization."""


class BadOrganizationShortNameException(Exception):
    """No ``Organization`` has the short name."""


class ProviderDoesNotExistException(Exception):
    """The organization has no enabled SAML provider."""
