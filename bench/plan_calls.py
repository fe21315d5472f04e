"""`fusehub plan` per-call wall time, as a script calling it would see it: one process per call.

    .venv/bin/python bench/plan_calls.py [--n 5] [--home simulations/homes/demo.yaml] [--no-running]

Two ways, both printed: `--home` (the command builds a hub for the home file itself: the model loads only when
the planner is reached) and, unless `--no-running`, against a running hub (`fusehub run` on a mosquitto this
script starts on a free loopback port; `fusehub plan --say ... --config`, which asks the hub over MQTT). Prints
each call's seconds and the median per request kind (a local intent; a request only the planner answers)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REQUESTS = {"intent": "turn on the kitchen light", "planner": "make it cozy in the living room"}


def _time(kind: str, argv: list[str], n: int) -> None:
    times = []
    for i in range(n):
        t = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t)
        print(f"  {kind:8s} call {i + 1}: {times[-1]:.2f} s (exit {r.returncode})", flush=True)
        if r.returncode != 0:
            print("   ", (r.stdout + r.stderr).strip()[-300:])
    print(f"  {kind:8s} median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--home", type=Path, default=ROOT / "simulations/homes/demo.yaml")
    ap.add_argument("--no-running", action="store_true", help="skip the running-hub figures")
    args = ap.parse_args()
    exe = str(Path(sys.executable).parent / "fusehub")
    print("fusehub plan --home (a hub built per call):")
    for kind, text in REQUESTS.items():
        _time(kind, [exe, "plan", "--home", str(args.home), "--say", text, "--json"], args.n)
    if args.no_running:
        return
    from fusehub.simulations.broker import Mosquitto

    with Mosquitto() as broker, tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "hub.yaml"
        cfg.write_text(f"hub_id: plans\nhome: {args.home.resolve()}\ndata_dir: {tmp}\nlog_level: WARNING\n"
                       f"mqtt: {{url: '{broker.url}'}}\n"
                       "requests: {anonymous: {controller: true}}  # a loopback broker without users\n")
        hub = subprocess.Popen([exe, "run", "--config", str(cfg)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while subprocess.run([exe, "context", "show", "--config", str(cfg), "--timeout", "2", "--json"],
                                 capture_output=True, check=False).returncode != 0:
                if time.monotonic() > deadline or hub.poll() is not None:
                    raise SystemExit("the hub did not start")
            print("fusehub plan --config (asks the running hub, its model loaded once):")
            for kind, text in REQUESTS.items():
                _time(kind, [exe, "plan", "--say", text, "--json", "--config", str(cfg)], args.n)
        finally:
            hub.terminate()
            hub.wait(30)


if __name__ == "__main__":
    main()
