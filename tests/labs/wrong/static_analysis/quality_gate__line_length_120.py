"""Bug: line-length 120 instead of the house 100."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 120
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]

[tool.mypy]
python_version = "3.11"
strict = true
"""
