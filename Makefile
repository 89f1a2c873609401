# Two commands: `make run` starts the whole site, `make test` runs the whole suite.
# Both create .venv from the hash-pinned requirements-dev.lock the first time: the
# site plus the test tools and honcho. Production installs requirements.lock only
# (`make install-prod`, see deploy/README.md): no test tools on a server.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install install-prod run site-url test lint lock clean bench lighthouse

$(STAMP): requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

# A server's .venv: the production lock only.
install-prod:
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock

# Commands run by hand (send_digests, ...) must link to the site `make run` serves:
# with DEBUG on and SITE_URL unset, fanhub/settings.py reads it from this file.
site-url:
	mkdir -p var
	echo "$${SITE_URL:-http://127.0.0.1:$(PORT)}" > var/site_url

run: $(STAMP) site-url
	mkdir -p var/broker/queue var/broker/processed var/broker/control var/mail var/media
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile.dev -p $(PORT)

# The page audits' tools (axe-core, the Nu Html Checker) come from npm, pinned in
# tests/audit/package-lock.json; without npm those tests are skipped with a reason.
AUDIT_TOOLS := tests/audit/node_modules/.package-lock.json
$(AUDIT_TOOLS): tests/audit/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/audit --no-audit --no-fund --silent; \
	else echo "npm not found: the page audits (tests/e2e/test_audits.py) will be skipped"; fi

test: $(STAMP) $(AUDIT_TOOLS)
	$(BIN)/pytest

# Every benchmark in bench/, each in a throwaway database on the PostgreSQL of
# DATABASE_URL (default: the local one), with the Redis of REDIS_URL for the worker.
# Prints each ratio against its goal; fails when one misses.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# Lighthouse (pinned with the audit tools) on every page, mobile and desktop, served
# with production settings on the demo data; fails below 100. Slow: not in `make test`.
lighthouse: $(STAMP) $(AUDIT_TOOLS)
	$(BIN)/python tools/lighthouse.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/audit.py

# Regenerate both locks after editing pyproject.toml (needs uv: `pip install uv`).
# The dev lock is constrained by the production one: the same versions in both.
UV ?= $(shell command -v uv || echo $(BIN)/uv)
lock:
	$(UV) pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev -c requirements.lock --generate-hashes \
		--python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache
