"""Tests of the Open edX backend against the real Open edX libraries and a stand-in of the platform."""
