"""The scheduled bulk-email API, mounted at ``/api/instructor_task/v1/`` as in Open edX."""
