# Claim tracker. `make run` serves the product; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_PATHS := tracker tests migrations wsgi.py $(wildcard bench) $(wildcard deploy/*.py)
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
BENCH_PORT ?= 5081
export TRACKER_BASE_URL ?= http://$(HOST):$(PORT)
# Python keeps each module it compiles (packages are installed without compiling them all up
# front): with PYTHONDONTWRITEBYTECODE set, every command and test process compiled everything
# it imports again, and a `tracker` command took 6 s to start instead of 2.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help install browser run serve test thorough check lint format bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP) ## Create .venv and install the product with its development tools

browser: ## Install Debian's chromium for the browser tests (Playwright drives it)
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install ## Migrate, seed, and serve at http://127.0.0.1:5000 with the reminder scheduler beside it
	$(BIN)/tracker db upgrade
	$(BIN)/tracker seed
	@echo
	@$(BIN)/tracker users demo --file instance/demo-logins.txt
	@echo
	@echo "Claim tracker is starting at $(TRACKER_BASE_URL)  (Ctrl-C stops the web server and the scheduler)"
	@echo "Public pages need no login: $(TRACKER_BASE_URL)/  and the API at $(TRACKER_BASE_URL)/api/v1/claims"
	@echo "Reviewers log in at $(TRACKER_BASE_URL)/login and work from $(TRACKER_BASE_URL)/review"
	@echo
	@# Two processes: the scheduler never runs inside gunicorn workers. Ctrl-C reaches both
	@# (same process group); if either stops on its own, the other is stopped too.
	@trap 'kill -TERM $$web $$scheduler 2>/dev/null; wait' INT TERM; \
	$(BIN)/tracker scheduler run & scheduler=$$!; \
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app & web=$$!; \
	wait -n $$web $$scheduler; status=$$?; \
	kill -TERM $$web $$scheduler 2>/dev/null; wait; exit $$status

# The suite runs in this many processes, each with its own databases. A test spends much of its
# time waiting on the database, so on two cores three processes keep both busy: the suite took
# 242 s with 3, 285 s with 2 and 267 s with 4 (PostgreSQL beside SQLite, on 2 cores).
TEST_WORKERS ?= 3
# The tests that hold the product to a speed figure run after the rest, in one process, so no
# other test competes with them for the cores and the database.
SUITE = $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "not timed"; rest=$$?; \
	$(BIN)/pytest -m timed; timed=$$?; exit $$(( rest || timed ))
test: install browser ## Run the whole test suite (PostgreSQL too when TRACKER_TEST_DATABASE_URL is set)
	$(SUITE)

thorough: install browser ## The whole suite with every fuzz and property test at its full number of examples (slower)
	export TRACKER_TEST_THOROUGH=1; $(SUITE)

BENCH_SQLITE ?= sqlite:////tmp/tracker-bench.sqlite3
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/tracker_bench
BENCH_CLAIMS ?= 100000
BENCH_SQLITE_SEARCH ?= sqlite:////tmp/tracker-search-bench.sqlite3
BENCH_POSTGRES_SEARCH ?= postgresql://postgres@127.0.0.1:5432/tracker_search_bench
BENCH_RANGES_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/tracker_ranges
BENCH_QUESTION_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/tracker_question
bench: install ## Every benchmark in bench/ with its target (long: builds 100,000- and 1,000,000-claim databases)
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.scorecard --claims $(BENCH_CLAIMS) --database-url $(BENCH_SQLITE)
	$(BIN)/python -m bench.scorecard --claims $(BENCH_CLAIMS) --database-url $(BENCH_POSTGRES)
	$(BIN)/python -m bench.ranges --sizes 100000,1000000 --sqlite /tmp/tracker-ranges --postgres $(BENCH_RANGES_POSTGRES)
	$(BIN)/python -m bench.question_sums --claims $(BENCH_CLAIMS) --sqlite /tmp/tracker-question.sqlite3 --postgres $(BENCH_QUESTION_POSTGRES)
	$(BIN)/python -m bench.api_bench --claims $(BENCH_CLAIMS)
	$(BIN)/python -m bench.archive_bench --claims $(BENCH_CLAIMS)
	$(BIN)/python -m bench.scheduler_bench
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.slow_clients
	$(BIN)/python -m bench.search --database-url $(BENCH_SQLITE_SEARCH) --database-url $(BENCH_POSTGRES_SEARCH)

lint: install ## ruff lint and format check, mypy --strict on tracker/, the import contracts
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	$(BIN)/mypy tracker
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m tests.test_layout

check: lint test ## Lint, type-check and test

format: install ## Reformat the code
	$(BIN)/ruff check --fix $(PY_PATHS)
	$(BIN)/ruff format $(PY_PATHS)

clean: ## Remove the virtual environment (instance/ and its database stay)
	rm -rf $(VENV)
