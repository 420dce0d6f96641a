"""Stand-in of edx-organizations' ``organizations/models.py``: ``Organization`` by its short name."""

from django.db import models
from model_utils.models import TimeStampedModel


class Organization(TimeStampedModel):
    """An organisation authoring courses and programs."""

    name = models.CharField(max_length=255, db_index=True)
    short_name = models.CharField(max_length=255, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "organizations"
