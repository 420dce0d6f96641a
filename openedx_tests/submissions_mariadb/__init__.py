"""edx-submissions' migrations for the tests on MariaDB (``openedx_tests.settings``' ``MIGRATION_MODULES``)."""
