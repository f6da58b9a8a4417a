# Roadmap Lab. Quick start: `make run` (the app) and `make test` (the whole suite).
# Both create .venv when missing and install only when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8501
PYTEST_ARGS ?=
# what ruff checks: ui/ once it exists (pages/ until then)
LINT_PATHS := graph labs tests $(wildcard ui pages) app.py benchmarks

.PHONY: setup run test lint bench bench-gpu clean

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: a CPU build here, the CUDA build on a Linux box with a GPU
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

# The suite, then the examples in graph/'s docstrings. The --deselect is for starter.py's
# example, broken on this branch and fixed on main: drop it when the two meet.
test: setup lint
	$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)
	$(PY) -m pytest -q --doctest-modules graph \
	  --deselect graph/starter.py::graph.starter.make_starter

lint: setup
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy graph

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
