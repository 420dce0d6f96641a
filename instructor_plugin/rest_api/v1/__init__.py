"""The legacy instructor endpoints the MFE still calls, under ``/courses/{course_id}/instructor/api/``."""
