"""Serializer fields the request serializers share."""

from rest_framework import serializers
from rest_framework.fields import empty


class AbsentAwareBooleanField(serializers.BooleanField):
    """
    A boolean whose absence from a form body is absence, as it is in JSON.

    DRF reads a field missing from form data as an unticked HTML checkbox, ``False``: a form
    ``PATCH`` naming one setting would then switch every omitted boolean off, and a required
    boolean could never be missing.
    """

    default_empty_html = empty
