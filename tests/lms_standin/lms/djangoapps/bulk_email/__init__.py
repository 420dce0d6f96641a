"""Stand-in of openedx-platform ``lms/djangoapps/bulk_email`` (course email opt-outs)."""
