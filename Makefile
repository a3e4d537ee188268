# Haven: `make demo` runs it with demo data on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_ENV := HAVEN_DEBUG=1 HAVEN_DEMO_SKIP_2FA=1

.PHONY: install system demo test check lint typecheck imports lock messages clean

install: system $(VENV)/.installed frontend/dist/.built var/.collected var/.compiled

# Debian packages: Pango for the PDF referral packages, poppler-utils for the tests that read them.
system:
	bash .ci/system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/.built: frontend/node_modules/.installed frontend/build.mjs $(shell find frontend/src frontend/entries -type f)
	cd frontend && node build.mjs
	touch $@

var/.collected: frontend/dist/.built $(VENV)/.installed
	mkdir -p var
	$(DEMO_ENV) $(BIN)/haven manage collectstatic --noinput --verbosity 0
	touch $@

# Translations: each haven/locale/<language>/LC_MESSAGES/django.po compiled for Django to read.
var/.compiled: $(VENV)/.installed $(shell find haven/locale -name '*.po' 2>/dev/null)
	mkdir -p var
	if compgen -G 'haven/locale/*/LC_MESSAGES/django.po' >/dev/null; then \
	  cd haven && HAVEN_DEBUG=1 ../$(BIN)/haven manage compilemessages --verbosity 0; fi
	touch $@

# A catalogue of the public pages' words for a translator: make messages LANGUAGE=cy
messages: install
	@test -n "$(LANGUAGE)" || { echo "name the language: make messages LANGUAGE=cy" >&2; exit 1; }
	cd haven && HAVEN_DEBUG=1 ../$(BIN)/haven manage makemessages --locale $(LANGUAGE) --no-obsolete \
	  --ignore 'demo/*' --ignore 'chats/*' --ignore '*/tests/*'

demo: install
	$(DEMO_ENV) $(BIN)/haven migrate --verbosity 0
	$(DEMO_ENV) $(BIN)/haven demo
	@echo "Haven demo: http://127.0.0.1:$(PORT)/ (public) and http://127.0.0.1:$(PORT)/staff/ (staff). Ctrl-C stops it."
	@trap 'kill $$(jobs -p) 2>/dev/null; wait; exit 0' INT TERM; \
	  $(DEMO_ENV) $(BIN)/haven worker & \
	  $(DEMO_ENV) $(BIN)/haven serve --port $(PORT) --workers 2 & \
	  wait

test: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest $(PYTEST_ARGS)

check: lint typecheck imports

lint: install
	$(BIN)/ruff check haven tests bench
	$(BIN)/ruff format --check haven tests bench

typecheck: install
	HAVEN_DEBUG=1 $(BIN)/mypy haven tests bench

imports: install
	$(BIN)/lint-imports --no-cache

# Re-pin every Python dependency after changing pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-find-links --no-emit-index-url -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var/static var/.collected var/.compiled
