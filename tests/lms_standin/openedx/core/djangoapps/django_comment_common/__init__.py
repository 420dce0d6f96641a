"""Stand-in of openedx-platform ``openedx/core/djangoapps/django_comment_common`` (forum roles)."""
