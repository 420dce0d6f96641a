"""The cohorts API (``/api/cohorts/v1/``) at Open edX's paths: settings, cohorts, members, CSV upload."""
