"""Hub resident memory with the planner model loaded.

    .venv/bin/python bench/hub_memory.py [--model-dir DIR] [--requests 30]

Builds the hub as `fusehub run` does (build_hub: demo home, adapters, skills, rules, intents, the LLM planner
from the built model folder, a SQLite journal in a temporary folder), then sends spoken requests through
the hub's reasoning path (local intents first, the planner for the rest) and prints the process's resident
memory (VmRSS) and its peak (VmHWM) after start, after loading, and after the requests.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fusehub.app import build_hub, load_skills
from fusehub.clock import RealClock
from fusehub.config import HubConfig, ReasonerConfig
from fusehub.events import Actor, Context, Origin
from fusehub.home import load_home
from fusehub.journal import Journal
from fusehub.reasoner.llm import LlmPlanner
from fusehub.reasoner.model_store import default_model_dir
from fusehub.simulations import demo_home_path

REQUESTS = [
    "turn off the kitchen light", "make it a bit warmer in the living room", "turn off the lights where ben is",
    "is the front door locked", "start the vacuum", "dim the bedroom light to 20 percent",
    "turn on the coffee machine and the hallway light", "set a timer for 12 minutes", "where is mia",
    "turn on the oven", "pause the tv", "close the blinds in the living room",
]


def mem() -> tuple[float, float]:
    rss = hwm = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    return rss, hwm


async def run(model_dir: Path, n: int) -> None:
    r0 = mem()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = HubConfig(data_dir=tmp, reasoner=ReasonerConfig(planner="llm", model_dir=str(model_dir)))
        planner = LlmPlanner.load(model_dir, load_skills())
        hub = build_hub(cfg, clock=RealClock(), home=load_home(demo_home_path()),
                        journal=Journal(Path(tmp) / "j.sqlite"), planner=planner)
        planner.warm(hub.graph)
        r1 = mem()
        used = {"planner": 0, "other": 0}
        for i in range(n):
            text = REQUESTS[i % len(REQUESTS)]
            before = planner.stats.requests
            await hub.plan_for(text, Context(actor=Actor.person("anna"), origin=Origin.voice, room="kitchen"))
            used["planner" if planner.stats.requests > before else "other"] += 1
        r2 = mem()
        hub.journal.close()
    print(f"start:                    RSS {r0[0]:6.1f} MiB")
    print(f"hub built, model loaded:  RSS {r1[0]:6.1f} MiB (peak {r1[1]:.1f})")
    print(f"after {n} requests:        RSS {r2[0]:6.1f} MiB (peak {r2[1]:.1f}); "
          f"{used['planner']} went to the planner, {used['other']} to local intents")
    mb = r2[1] * 1024 * 1024 / 1e6
    print(f"target: resident memory <= 400 MB (decimal, = 381.5 MiB); peak {r2[1]:.1f} MiB = {mb:.1f} MB: "
          f"{'within' if mb <= 400 else 'OVER'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=30)
    a = ap.parse_args()
    asyncio.run(run(a.model_dir or default_model_dir(), a.requests))


if __name__ == "__main__":
    main()
