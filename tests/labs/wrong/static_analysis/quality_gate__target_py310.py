"""Bug: target-version py310 (copied from an older project): 3.11's datetime.UTC is never
asked for."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py310"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]

[tool.mypy]
python_version = "3.11"
strict = true
"""
