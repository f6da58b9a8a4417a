"""Roadmap Lab engine."""
