PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench faults backup restore

# The stamp files make a second `make run` skip the install unless a requirements file changed.
$(VENV)/.runtime-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-installed
	bin/run-dev

# The tests run in TEST_WORKERS processes (pytest-xdist, each with its own test database): those that drive no
# browser first, then the browser journeys, each worker with its own live server and Chromium. A journey mostly
# waits on pages and timers, so two of them share two cores well.
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) --dist loadgroup
	$(BIN)/python -m pytest -m browser -n $(TEST_WORKERS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

backup: $(VENV)/.runtime-installed
	$(BIN)/python manage.py backup_database $(if $(FILE),--output $(FILE))

# make restore FILE=var/backups/jiafang-20261128-120000.dump
restore: $(VENV)/.runtime-installed
	@test -n "$(FILE)" || (echo "usage: make restore FILE=path/to/backup.dump" && exit 2)
	$(BIN)/python manage.py restore_database $(FILE)

# The fault cases of issue 16 (README "Reliability") on a private PostgreSQL and Redis that it starts itself;
# shorter with e.g. FAULTS_PEAK_SECONDS=30 FAULTS_OFFICERS=50, one case with `make faults CASES=two-beats`.
faults: $(VENV)/.dev-installed
	$(BIN)/python -m faults $(CASES)
