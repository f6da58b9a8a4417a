"""shapes: a tiny geometry package whose documentation the lab builds with Sphinx."""
