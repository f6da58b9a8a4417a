"""Frameworks and drivers: the database and the composition root."""
