"""Bug: select = ['ALL']: every rule, so clean code fails the gate too."""


def quality_gate():
    return """\
[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["ALL"]

[tool.mypy]
python_version = "3.11"
strict = true
"""
