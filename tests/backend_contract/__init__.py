"""A reusable test suite that any instructor_plugin backend runs to show it keeps the backend contract."""
