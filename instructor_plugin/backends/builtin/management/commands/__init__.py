"""Management commands of the built-in backend."""
