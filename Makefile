# The two commands of the quick start:  make run  ·  make test
# Everything else here is how they set themselves up (a .venv with pinned dependencies).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install -qq --disable-pip-version-check

PYTEST := $(BIN)/pytest -n $(or $(JOBS),auto) --dist worksteal

.PHONY: run test test-fast setup setup-dev browser clean

run: setup
	$(BIN)/remit up $(ARGS)

# Every test, on as many processes as there are cores (JOBS=1 for one); each gets a copy of
# the schema migrated once (tests/dbtemplate.py).
test: setup-dev browser
	$(PYTEST) $(ARGS)

# What a developer runs between changes: all but the scenarios marked slow (real processes,
# benchmarks, whole demo loads). CI runs everything.
test-fast: setup-dev browser
	$(PYTEST) -m "not slow" $(ARGS)

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "remit needs Python 3.11, found " + sys.version' \
	  || { echo "Install Python 3.11 (or run: make PYTHON=/path/to/python3.11 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	@scripts/ensure-libgomp
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -e .
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) -r requirements-dev.txt
	@touch $@

browser:
	@scripts/ensure-chromium

clean:
	rm -rf $(VENV) var test-artifacts
