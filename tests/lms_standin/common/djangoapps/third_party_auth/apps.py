"""Stand-in of openedx-platform ``common/djangoapps/third_party_auth/apps.py``."""

from django.apps import AppConfig


class ThirdPartyAuthConfig(AppConfig):
    name = "common.djangoapps.third_party_auth"
    label = "third_party_auth"
