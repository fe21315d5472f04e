"""The data generator's command line: `python -m fusehub.model.datagen --n 2000 --split train --out data.jsonl`
generates examples and prints what they cost (per category: count, share, average tokens, view drops)."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fusehub.model.datagen.assembly import CATEGORIES, generate_with_stats
from fusehub.model.datagen.examples import write_jsonl

_DESCRIPTION = "Synthetic training and held-out data for the on-hub planner (SmolLM2-135M + LoRA)."


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m fusehub.model.datagen", description=_DESCRIPTION)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--split", choices=("train", "heldout"), default="train")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="write the examples here (JSONL)")
    ap.add_argument("--tokenizer", type=Path, default=None,
                    help="a tokenizer.json to count tokens with (else chars/3.5)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    examples, stats = generate_with_stats(args.n, args.split, args.seed)
    dt = time.perf_counter() - t0
    count: Callable[[str], float] = lambda s: len(s) / 3.5  # noqa: E731
    how = "chars/3.5"
    if args.tokenizer is not None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(args.tokenizer))
        count = lambda s: float(len(tok.encode(s).ids))  # noqa: E731
        how = "tokenizer"
    print(f"{len(examples)} {args.split} examples (seed {args.seed}) in {dt:.1f}s from {stats.homes} homes; "
          f"view drop rate {stats.drop_rate:.1%}, {stats.skipped} draws skipped (category not applicable)")
    cats = Counter(e.category for e in examples)
    print(f"{'category':<12} {'n':>5} {'share':>6} {'user':>6} {'target':>6} {'drops':>6}")
    for cat in CATEGORIES:
        exs = [e for e in examples if e.category == cat]
        if not exs:
            continue
        u = sum(count(e.user) for e in exs) / len(exs)
        t = sum(count(e.target) for e in exs) / len(exs)
        print(f"{cat:<12} {cats[cat]:>5} {cats[cat] / len(examples):>6.1%} {u:>6.1f} {t:>6.1f} "
              f"{stats.dropped[cat]:>6}")
    u_all = [count(e.user) for e in examples]
    t_all = [count(e.target) for e in examples]
    print(f"average tokens ({how}): user {sum(u_all) / len(u_all):.1f} (max {max(u_all):.0f}, "
          f">150: {sum(x > 150 for x in u_all)}), target {sum(t_all) / len(t_all):.1f} (max {max(t_all):.0f})")
    if stats.dropped_templates:
        top = ", ".join(f"{k} {m}" for k, m in stats.dropped_templates.most_common(8))
        print(f"most dropped templates: {top}")
    if args.out is not None:
        write_jsonl(args.out, examples)
        print(f"wrote {args.out}")
