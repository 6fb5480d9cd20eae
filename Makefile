# Power Express — two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PE := $(BIN)/powerexpress
HOUSEHOLDS ?= 40000

.PHONY: demo test install install-dev messages compilemessages serve clean lint benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed compilemessages
install-dev: $(VENV)/.installed-dev compilemessages

compilemessages:
	$(BIN)/python -m powerexpress.i18n compile

messages: $(VENV)/.installed-dev
	$(BIN)/python -m powerexpress.i18n extract

demo: install
	$(PE) migrate --no-input -v0
	$(PE) demo --households $(HOUSEHOLDS) --if-empty
	@$(PE) demo-logins
	$(PE) runserver 127.0.0.1:8000

test: install-dev
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check powerexpress tests benchmarks conftest.py
	$(BIN)/ruff format --check powerexpress tests benchmarks conftest.py
	$(BIN)/mypy

benchmark: install
	$(BIN)/python benchmarks/demo_load.py

clean:
	rm -rf $(VENV) var
