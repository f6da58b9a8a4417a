"""Bug: [mypy] as in mypy.ini: in pyproject.toml mypy reads only [tool.mypy]."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]

[mypy]
python_version = "3.11"
strict = true
"""
