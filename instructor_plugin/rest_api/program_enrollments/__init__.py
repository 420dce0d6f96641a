"""The program enrollments API (seed 004) at ``/api/program_enrollments/v1/``."""
