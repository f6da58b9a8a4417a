"""Sphinx configuration for the shapes sample docs."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))  # make `shapes` importable for autodoc

project = "shapes"
author = "Roadmap Lab"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "myst_parser"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_preprocess_types = True  # "tuple of float, optional" -> links for the types only
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
