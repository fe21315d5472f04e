"""`fusehub plan` per-call wall time, as a script calling it would see it: one process per call.

    .venv/bin/python bench/plan_calls.py [--n 5] [--home simulations/homes/demo.yaml]

Prints each call's seconds and the median per request kind (a local intent; a request only the planner
answers, which loads the model)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = {"intent": "turn on the kitchen light", "planner": "make it cozy in the living room"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--home", type=Path, default=ROOT / "simulations/homes/demo.yaml")
    args = ap.parse_args()
    exe = Path(sys.executable).parent / "fusehub"
    for kind, text in REQUESTS.items():
        times = []
        for i in range(args.n):
            t = time.perf_counter()
            r = subprocess.run([str(exe), "plan", "--home", str(args.home), "--say", text, "--json"],
                               capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t)
            print(f"{kind:8s} call {i + 1}: {times[-1]:.2f} s (exit {r.returncode})", flush=True)
        print(f"{kind:8s} median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
