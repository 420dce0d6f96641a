"""The bulk-grades CSV API (Open edX's edx-bulk-grades) at ``/api/bulk_grades/``."""
