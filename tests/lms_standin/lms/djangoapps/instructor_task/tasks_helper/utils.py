"""Stand-in of openedx-platform ``lms/djangoapps/instructor_task/tasks_helper/utils.py``: the update statuses."""

UPDATE_STATUS_SUCCEEDED = "succeeded"
UPDATE_STATUS_FAILED = "failed"
UPDATE_STATUS_SKIPPED = "skipped"
