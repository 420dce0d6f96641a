"""Serializers of the Instructor API v2, split by dashboard area."""
