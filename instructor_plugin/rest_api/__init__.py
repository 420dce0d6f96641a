"""The plugin's REST API: v2 for the MFE, v1 for the legacy endpoints it still calls."""
