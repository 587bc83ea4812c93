# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run dev serve test lint format bench soak

# (Re)install whenever the pinned dependencies change.
$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

# axe-core for the accessibility tests, from the npm registry (package.json pins it). Without
# npm those tests skip, saying why (CI has it and fails instead).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: the accessibility tests will be skipped"; fi

install: $(INSTALLED) $(AXE)

# The demo as a visitor sees the site (DEMO=1: DEBUG off, so the site's own 404 and 500
# pages, static files collected and served as in production, gunicorn), on the embedded
# SQLite file, with the demo data and accounts. `make dev` is the same with DEBUG on and
# Django's autoreloading runserver, for developers.
run: export DEMO := 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_accounts --url http://127.0.0.1:$(PORT)/
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn config.wsgi --preload --bind 127.0.0.1:$(PORT) --workers $(WEB_CONCURRENCY) \
		--access-logfile - --error-logfile -

dev: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_accounts --url http://127.0.0.1:$(PORT)/
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: the settings come from the environment (README, "Running in production").
# Migrate, collect the static files (without them every page would fail: the start refuses),
# then gunicorn, one worker per core by default, access log on standard output.
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn config.wsgi --preload --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
		--access-logfile - --error-logfile -

# The whole suite; PYTEST_ARGS narrows it (.ci/run times the browser tests apart).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# The 100,000-outcome benchmark on PostgreSQL (see bench/README.md); BENCH_ARGS=--quick for a
# small run.
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# 10 minutes of mixed traffic, writes and faults on PostgreSQL and Redis (SOAK_ARGS=--quick:
# one minute at 5,000 outcomes, as CI runs it). bench/README.md says what it checks.
soak: install
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
