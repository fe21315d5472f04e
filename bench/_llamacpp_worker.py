"""The llama-cpp-python side of bench/planner_speed.py; runs in bench/.venv-llamacpp, never in the project's venv.

Reads one JSON object on stdin:

    {"gguf": PATH, "n_ctx": 2048, "n_threads": 2, "n_batch": 512,
     "warmup": {"prompt": STR, "n_tokens": N},
     "requests": [{"prompt": STR, "n_tokens": N}, ...]}

and writes one JSON object on stdout (anything llama.cpp itself prints goes to stderr). Each request is run on the
same `Llama` object, one after the other, so the KV cache of the prefix it shares with the previous request is
reused (`Llama.generate` matches the longest common token prefix). Generation is greedy and yields exactly
`n_tokens` tokens: no stop strings, no end-of-sequence stop (where the greedy choice was the end token, its index
is reported as `eos_at` and generation goes on), so both sides decode the same number of tokens.

Per request: `prefill_s` is the time to the first token (tokenize, evaluate the uncached part of the prompt,
pick the first token), `decode_s` the rest (n - 1 single-token evaluations), `total_s` both. The prompt tokens
llama.cpp actually evaluated (`prefill_evaluated`, from its perf counters) show the prefix reuse at work.
Only the standard library and llama_cpp are imported: this file must not import the project.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any


def _status_kb(field: str) -> int:
    """VmHWM / VmRSS of this process in KiB (ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _perf(llm: Any, lc: Any, reset: bool = False) -> tuple[int, float] | None:
    """(prompt tokens evaluated, their eval time in s) from llama.cpp's context perf counters, if available."""
    try:
        ctx = llm._ctx.ctx
        if reset:
            lc.llama_perf_context_reset(ctx)
            return None
        data = lc.llama_perf_context(ctx)
        return int(data.n_p_eval), float(data.t_p_eval_ms) / 1000.0
    except Exception:
        return None


def _system_info(lc: Any) -> str:
    try:
        info = lc.llama_print_system_info()
        return (info.decode(errors="replace") if isinstance(info, bytes) else str(info)).strip()
    except Exception:
        return ""


def _run(llm: Any, lc: Any, prompt: str, n_tokens: int) -> dict[str, Any]:
    n_tokens = max(1, int(n_tokens))
    eos = llm.token_eos()
    t0 = time.perf_counter()
    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    _perf(llm, lc, reset=True)
    out: list[int] = []
    t_first = t0
    gen = llm.generate(tokens, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, reset=True)
    for tok in gen:
        if not out:
            t_first = time.perf_counter()
        out.append(int(tok))
        if len(out) >= n_tokens:
            break
    gen.close()
    t2 = time.perf_counter()
    perf = _perf(llm, lc)
    eos_at = next((i for i, t in enumerate(out) if t == eos), None)
    return {
        "prompt_tokens": len(tokens),
        "prefill_evaluated": perf[0] if perf else None,
        "prefill_eval_s": perf[1] if perf else None,
        "new_tokens": len(out),
        "prefill_s": t_first - t0,
        "decode_s": t2 - t_first,
        "total_s": t2 - t0,
        "eos_at": eos_at,
        "text": llm.detokenize(out).decode("utf-8", errors="replace"),
    }


def main() -> int:
    result_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever llama.cpp prints on stdout must not mix with the JSON answer
    sys.stdout = sys.stderr
    job = json.load(sys.stdin)
    rss_start = _status_kb("VmRSS")

    import llama_cpp
    from llama_cpp import llama_cpp as lc

    t0 = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=job["gguf"],
        n_ctx=int(job.get("n_ctx", 2048)),
        n_threads=int(job.get("n_threads", 2)),
        n_threads_batch=int(job.get("n_threads", 2)),
        n_batch=int(job.get("n_batch", 512)),
        verbose=False,
    )
    load_s = time.perf_counter() - t0
    rss_loaded = _status_kb("VmRSS")
    warm = job.get("warmup")
    warmup = _run(llm, lc, warm["prompt"], warm["n_tokens"]) if warm else None
    results = [_run(llm, lc, r["prompt"], r["n_tokens"]) for r in job["requests"]]
    answer = {
        "llama_cpp_version": getattr(llama_cpp, "__version__", "?"),
        "system_info": _system_info(lc),
        "load_s": load_s,
        "rss_start_kb": rss_start,
        "rss_loaded_kb": rss_loaded,
        "rss_peak_kb": _status_kb("VmHWM"),
        "warmup": warmup,
        "results": results,
    }
    json.dump(answer, result_out)
    result_out.write("\n")
    result_out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
