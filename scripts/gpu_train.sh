#!/usr/bin/env bash
# Train planner adapter candidates on a lent GPU machine: no network, no project virtualenv, torch there.
#
# What it expects in the repository root (all ignored by git; see MODEL_CARD.md, "Training on a GPU"):
#   .whl/*.whl          the gguf and peft wheels (pip download, python 3.12 manylinux)
#   $KEEP/gguf.xz.part* the packaged GGUF, xz-compressed and split in parts (name order) to fit the per-call
#                       transfer limit: two calls bring the parts, the second runs this
#   $DATA/d_*.npz       tokenized training data (`fusehub model train --save-data FILE --n N --seed S`);
#                       DATA defaults to .gpuB
# Environment: OUT (output folder), GGUF_SHA256 (of the reassembled GGUF), MIN (minutes per run, default 7);
# DEVICE (default cuda) and PY (default python3) for a dry run elsewhere.
# Writes $OUT/a (continued from $INIT, default hub/model/adapter, at LR_A, default 5e-4) and, unless ONLY_A=1,
# $OUT/b (a fresh LoRA at 1e-3): adapter + train_log.json each.
set -uo pipefail
: "${OUT:?}" "${GGUF_SHA256:?}"
KEEP=${KEEP:-/root/keep}
MIN=${MIN:-7}
DATA=${DATA:-.gpuB}
INIT=${INIT:-hub/model/adapter}
DEVICE=${DEVICE:-cuda}
PY=${PY:-python3}
$PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  || exit 2
# fusehub itself: its folders map to the `fusehub` package, so it is installed (no deps), not put on the path
$PY -m pip install -q --no-index --no-deps --no-build-isolation --no-cache-dir --target /tmp/site . || exit 2
export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
cat "$KEEP"/gguf.xz.part* | $PY -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)" \
  > /tmp/base.gguf
echo "$GGUF_SHA256  /tmp/base.gguf" | sha256sum -c - || { ls -la "$KEEP"; exit 3; }
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader || true
common=(--data "$DATA"/d_*.npz --base-gguf /tmp/base.gguf --device "$DEVICE" --bf16 --max-minutes "$MIN"
        --save-every "${SAVE_EVERY:-300}" --log-every "${LOG_EVERY:-200}" --epochs 4 --batch "${BATCH:-64}")
$PY -m fusehub.model.train "${common[@]}" --init-adapter "$INIT" --lr "${LR_A:-5e-4}" --seed 21 --out "$OUT/a" \
  >/tmp/a.log 2>&1 &
if [ "${ONLY_A:-0}" != 1 ]; then
  $PY -m fusehub.model.train "${common[@]}" --lr 1e-3 --seed 22 --out "$OUT/b" >/tmp/b.log 2>&1 &
else
  : >/tmp/b.log
fi
sleep "${PEEK:-90}"; echo "--- after ${PEEK:-90} s"; tail -n 3 /tmp/a.log /tmp/b.log; nvidia-smi --query-gpu=utilization.gpu --format=csv || true
wait
echo "--- done"; tail -n 30 /tmp/a.log; tail -n 30 /tmp/b.log
