"""What the plugin needs from its host: interfaces, records, errors and the registry."""
