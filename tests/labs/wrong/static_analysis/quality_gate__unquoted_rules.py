"""Bug: Rule codes without quotes: not TOML, so no tool can read the file."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = [E, F, I, B, UP]

[tool.mypy]
python_version = "3.11"
strict = true
"""
