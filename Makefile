# Every target makes or refreshes the local virtual environment first, so a fresh clone needs
# nothing but python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest eval bench check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot console

test: lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check bot tests
	$(VENV)/bin/ruff format --check bot tests

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest -q

eval: $(STAMP)
	$(PY) -m bot eval

bench: $(STAMP)
	$(PY) -m bot bench

check: $(STAMP)
	$(PY) -m bot kb check

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
