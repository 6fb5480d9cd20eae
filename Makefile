# Power Express — two commands: `make demo` and `make test`.
# The newest supported interpreter that runs here (3.13, 3.12, 3.11; a pyenv shim of a version that is
# not selected does not run), else python3. `make PYTHON=python3.12 install` picks one.
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.11 python3; do \
	$$candidate -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13)' 2>/dev/null \
	&& { echo $$candidate; break; }; done)
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PE := $(BIN)/powerexpress
HOUSEHOLDS ?= 40000

.PHONY: demo test install install-dev messages compilemessages serve clean lint benchmark

# The demo runs with DEBUG off, like production: its SECRET_KEY is made once and kept in the data
# directory (var/ unless POWEREXPRESS_DATA_DIR is set); a SECRET_KEY in the environment wins.
DEMO_DATA := $${POWEREXPRESS_DATA_DIR:-var}
DEMO_ENV := SECRET_KEY="$${SECRET_KEY:-$$(cat $(DEMO_DATA)/demo-secret-key)}"

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

# Static files hashed and compressed (gzip + Brotli: plotly's bundle goes from 4.6 MB to about 1 MB
# on the wire), collected again only when a static file or the dependencies changed.
DEMO_STATIC := $(or $(POWEREXPRESS_DATA_DIR),var)/static/staticfiles.json
$(DEMO_STATIC): $(shell find powerexpress -path '*/static/*' -type f 2>/dev/null) pyproject.toml
	$(DEMO_ENV) $(PE) collectstatic --no-input -v0

demo: install
	@mkdir -p $(DEMO_DATA) && test -s $(DEMO_DATA)/demo-secret-key || \
		$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $(DEMO_DATA)/demo-secret-key
	$(DEMO_ENV) $(PE) migrate --no-input -v0
	@$(MAKE) --no-print-directory $(DEMO_STATIC)
	$(DEMO_ENV) $(PE) demo --households $(HOUSEHOLDS) --if-empty
	@$(DEMO_ENV) $(PE) demo-logins
	$(DEMO_ENV) $(PE) serve-demo --bind 127.0.0.1:$(PORT)

# Production (docs/deploy.md): gunicorn + Celery worker + beat, configured by the environment
# (SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, … see .env.example); the Procfile has the same lines.
serve: install
	$(PE) migrate --no-input -v0
	$(PE) collectstatic --no-input -v0
	$(PE) serve --bind 127.0.0.1:$(PORT)

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
