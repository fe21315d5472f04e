#!/usr/bin/env bash
# fusehub tests: installs the test needs, then lint, type checks and the test suite (real mosquitto).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-demo
echo "== installing test needs"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' -e examples/fusehub-example-skills \
  --config-settings editable_mode=strict
# PyPI projects that own the plain names of fusehub's folders, installed beside it (tests/test_coexistence.py)
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "skills==0.3.0" "simulations==0.1.1.dev36"
echo "== ruff"
.venv/bin/ruff check .
echo "== import layers (lint-imports)"
.venv/bin/lint-imports
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider tests examples/fusehub-example-skills/tests "$@"
