# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app run

.PHONY: run test lint install install-dev migrate seed messages translations screenshots clean

# A stamp per requirements file: pip runs again only when a file changed.
$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: requirements.txt $(VENV)/.created
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

## Compile the translation catalogues (.po → .mo) that exist.
translations: $(VENV)/.installed
	@if ls courses/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d courses/translations >/dev/null; fi

## Extract marked strings and update the catalogues (for translators): then fill in
## the empty msgstr of courses/translations/en/LC_MESSAGES/messages.po.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output \
		--ignore-dirs ".* __pycache__ instance test-artifacts" \
		--project "courses" -o courses/translations/messages.pot .
	$(BIN)/pybabel update --init-missing --no-fuzzy-matching --ignore-obsolete \
		-l en -i courses/translations/messages.pot -d courses/translations

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

## Set up, migrate, load the demo and serve on http://$(HOST):$(PORT).
run: seed
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Set up and run every test (SQLite; set TEST_DATABASE_URL for PostgreSQL).
test: install-dev
	$(BIN)/python -m pytest

## Lint with the committed configuration (pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .

## Screenshots of the main pages in both languages into docs/screenshots/ (needs /usr/bin/chromium).
screenshots: install-dev
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
