"""Use cases: application logic that only knows the domain."""
