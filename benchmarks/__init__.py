"""Benchmarks of the plugin at scale, run with ``make benchmark`` (``python -m benchmarks``)."""
