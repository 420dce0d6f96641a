"""Stand-in of social-auth-app-django's ``social_django/apps.py`` (see the README)."""

from django.apps import AppConfig


class PythonSocialAuthConfig(AppConfig):
    name = "social_django"
    label = "social_django"
