#!/usr/bin/env bash
# fusehub tests: installs the test needs, then lint, type checks and the test suite (real mosquitto).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-demo
echo "== installing test needs"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' -e examples/fusehub-example-skills \
  --config-settings editable_mode=strict
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider tests examples/fusehub-example-skills/tests "$@"
