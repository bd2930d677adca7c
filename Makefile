# The two set-up commands: `make run` and `make test`. Both need only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
# The portal builds its absolute links (emails, invites, embed snippets) from it.
export PORT
PYTEST_ARGS ?=
BENCH ?=

.PHONY: run test bench install lint format migrate worker beat clean assets screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Python 3.11+ is needed: install it or run e.g. 'make PYTHON=python3.12 run'." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py demo_logins --port $(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Needs PostgreSQL (BENCH_DATABASE_URL); `make bench BENCH=catalog_search` runs one benchmark.
bench: install
	$(BIN)/python -m bench $(BENCH)

# Rebuild the committed front-end files (static/css/portal.css, static/icons/icons.svg,
# tests/vendor/axe.min.js) from npm packages; needs Node 18+. `make run`/`make test` do not.
assets:
	npm ci --no-audit --no-fund
	node assets/build.mjs

# Full-page screenshots of every page type at 390x844 and 1366x900, in Chromium, on demo data.
screenshots: install
	$(BIN)/python -m pytest -p no:cacheprovider tests/portal/screenshots.py $(PYTEST_ARGS)
	@echo "Screenshots: test-artifacts/screenshots/"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A learning_portal worker --loglevel=info --without-gossip --without-mingle --without-heartbeat

beat: install
	$(BIN)/celery -A learning_portal beat --loglevel=info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
