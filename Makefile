# The two commands of the README: `make run` (the main job) and `make test` (the test suite).
# Both create or update the virtual environment first.
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= results/nb201-demo

.PHONY: setup run test lint bench clean

setup:
	@VENV=$(VENV) bash scripts/setup_env.sh

run: setup
	$(PY) -m experiments.main_job --out $(OUT)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check genhpo baselines experiments tests

clean:
	rm -rf $(VENV) results
