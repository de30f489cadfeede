# CBA Monitor: `make demo` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Starting the web server on http://127.0.0.1:$(PORT)/ and a background worker; Ctrl-C stops both."
	@bash -c 'set -m; \
		$(BIN)/python manage.py qcluster & q=$$!; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload & w=$$!; \
		stop() { trap - INT TERM; echo "Stopping the web server and the worker..."; \
			kill -TERM -$$w $$q 2>/dev/null; \
			for _ in $$(seq 40); do kill -0 -$$q 2>/dev/null || break; sleep 0.25; done; \
			kill -KILL -$$w -$$q 2>/dev/null; wait; echo "Stopped."; exit 0; }; \
		trap stop INT TERM; wait'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL ($$DATABASE_URL) =="; \
		$(BIN)/pytest; \
	else \
		echo "DATABASE_URL is not set: skipped the PostgreSQL run."; \
	fi

bench: $(STAMP)
	$(BIN)/python -m tests.bench import --lines 100000
	$(BIN)/python -m tests.bench evaluate --lines 1000000

# Refresh the Spanish catalog from the code and compile it (needs GNU gettext's msgfmt);
# translate the new entries in locale/es/LC_MESSAGES/django.po, run it again, commit both files.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l es --no-location --ignore=.venv --ignore=tests \
		--ignore=demo --ignore=staticfiles --ignore=media
	$(BIN)/python manage.py compilemessages -l es --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache
