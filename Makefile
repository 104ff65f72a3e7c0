# Năng Lực — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= Tap-huan-Bac-Ninh-2026
# Error constructors whose message argument is a translatable Vietnamese string; N_() marks a string kept in data.
BABEL_KEYWORDS := -k N_ -k DomainError:2 -k Invalid:2 -k Conflict:2 -k NotFound:1 -k Forbidden:1 -k Unauthenticated:1
export NANGLUC_ENV ?= development

.PHONY: run test lint install install-dev migrate demo clean i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/nangluc db upgrade

## make run: install, migrate, load curricula and demo data (once), serve on http://$(HOST):$(PORT)
run: migrate
	$(BIN)/nangluc curricula sync
	$(BIN)/nangluc demo --password $(DEMO_PASSWORD)
	@echo "Sign in at http://$(HOST):$(PORT) as admin, organiser, trainer or trainee; password: $(DEMO_PASSWORD)"
	$(BIN)/nangluc serve --host $(HOST) --port $(PORT)

## make test: install the dev extras and run the whole suite (PostgreSQL when NANGLUC_TEST_POSTGRES_URL is set)
test: install-dev
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/lint-imports

## make i18n: refresh the English catalogue after adding strings (source strings are Vietnamese)
i18n: install-dev
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -o var/messages.pot --no-location --omit-header $(BABEL_KEYWORDS) .
	$(BIN)/pybabel update -i var/messages.pot -d app/locale -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) var test-artifacts
