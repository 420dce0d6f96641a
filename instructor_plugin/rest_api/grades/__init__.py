"""Grades REST v1 (``/api/grades/v1/``), at the original's paths and wire format, for the Gradebook MFE."""
