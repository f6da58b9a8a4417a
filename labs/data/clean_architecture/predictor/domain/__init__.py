"""Entities and ports: the innermost layer, plain Python, no frameworks."""
