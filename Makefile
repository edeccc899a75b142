# Buyer-message checker (站内信合规检查)
#
#   make run     set up, build, serve dist/site on http://127.0.0.1:8000 (prints the offline file's path)
#   make test    set up, build, run every test, real browsers included
#   make build   set up and build dist/ (and docs/RULES.md)
#   make bench   boot benchmark (JSON on stdout)
#
# Needs Python 3.11+ and Node.js 20+ (npm). Everything else is installed inside the project:
# the Python packages in .venv/ (pinned by requirements.lock), the browser runtime in
# node_modules/ (pinned by package-lock.json). Set PYTHON=python3.12 to pick the interpreter.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test build bench setup browsers

run: build
	$(PY) tools/serve.py --port $(PORT)

test: setup browsers build
	$(PY) -m pytest

build: setup
	$(PY) build.py

bench: setup browsers build
	$(PY) bench/boot.py

setup: $(VENV_STAMP) $(NODE_STAMP)

browsers:
	@bash tools/ensure-browsers.sh

$(VENV_STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: Python 3.11 or newer is needed; '$(PYTHON)' is missing or older." >&2; \
	  echo "      Install it (Debian/Ubuntu: apt-get install python3 python3-venv) or run: make PYTHON=python3.12 ..." >&2; \
	  exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "make: could not create $(VENV); on Debian/Ubuntu install python3-venv" >&2; exit 1; }
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements.lock
	@touch $@

# npm ci writes node_modules/.package-lock.json; it is the stamp that the install matches the lock.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  echo "make: Node.js 20+ with npm is needed (https://nodejs.org, or Debian: apt-get install nodejs npm)" >&2; exit 1; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || \
	  echo "make: warning: Node.js $$(node --version) is older than 20, which @pyscript/core asks for" >&2
	npm ci --no-audit --no-fund
	@touch $@
