"""Stand-in of openedx-platform ``openedx/core/djangoapps/django_comment_common/apps.py``."""

from django.apps import AppConfig


class DjangoCommentCommonConfig(AppConfig):
    name = "openedx.core.djangoapps.django_comment_common"
    label = "django_comment_common"
