"""The back end of the Open edX instructor dashboard, as a pluggable Django app."""

__version__ = "0.1.0"
