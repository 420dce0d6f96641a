"""The enrollment API (seed 002) at ``/api/enrollment/v1/``."""
