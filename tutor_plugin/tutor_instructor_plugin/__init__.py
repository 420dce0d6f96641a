"""Tutor plugin for instructor-plugin: see :mod:`tutor_instructor_plugin.plugin`."""
