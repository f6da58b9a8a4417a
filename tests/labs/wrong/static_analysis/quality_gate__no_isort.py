"""Bug: I (isort) left out: import order is never checked."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "B", "UP"]

[tool.mypy]
python_version = "3.11"
strict = true
"""
