"""Settings hooks called by the host's plugin framework, one module per settings type."""
