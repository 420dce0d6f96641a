"""Stand-in of openedx-platform ``xmodule/modulestore/exceptions.py``."""


class ItemNotFoundError(Exception):
    """No block has this location."""
