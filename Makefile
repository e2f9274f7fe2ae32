# The two commands of the README: `make run` (the main job) and `make test` (the test suite).
# Both create or update the virtual environment first.
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= results/nb201-demo

.PHONY: setup run test lint bench bench-baselines bench-generative bench-hpob results clean

setup:
	@VENV=$(VENV) bash scripts/setup_env.sh

run: setup
	$(PY) -m genhpo.main_job --out $(OUT)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check genhpo research tests examples

# Benchmarks of quality and speed: commands that print figures (never timed unit tests).
bench: bench-baselines bench-generative bench-hpob

bench-baselines: setup
	$(VENV)/bin/genhpo compare --config research/configs/nb201-baselines.toml --out results/research/baselines
	$(VENV)/bin/genhpo report results/research/baselines

bench-generative: setup
	$(PY) research/bench_generative.py transfer --seeds 20
	$(PY) research/bench_generative.py cold --seeds 20 --budgets 50,100,200
	$(PY) research/bench_generative.py overhead

bench-hpob: setup
	$(PY) research/bench_hpob.py --trials 100

clean:
	rm -rf $(VENV) results

# docs/results.md from the stored result files in docs/results/ (re-running changes nothing).
results: setup
	$(PY) research/results_page.py
