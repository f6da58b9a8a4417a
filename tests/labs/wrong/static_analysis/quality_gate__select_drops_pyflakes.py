"""Bug: select replaces ruff's defaults, and F is not listed: unused imports pass."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "I", "B", "UP"]

[tool.mypy]
python_version = "3.11"
strict = true
"""
