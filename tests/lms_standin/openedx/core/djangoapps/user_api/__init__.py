"""Stand-in of openedx-platform ``openedx/core/djangoapps/user_api`` (preferences, org tags)."""
