"""The base model's weights straight from the packaged GGUF, without transformers' GGUF loader.

Training on another machine (a GPU lent for a few minutes, with its own transformers version and no
network) needs the exact weights that `fusehub model build` merges the adapter into. This module reads them
with the `gguf` package alone (numpy), in transformers' Llama layout: llama.cpp stores the q/k projections
with their rotary halves interleaved, so those are permuted back, as transformers' loader does.
`tests/test_gguf_base.py` checks that the result equals transformers' dequantized load, bit for bit.

    python -m fusehub.model.gguf_base GGUF OUT_DIR     # writes OUT_DIR/config.json + model.safetensors (fp32)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["config_from_gguf", "state_from_gguf", "write_base"]

_LAYER = {
    "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj", "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
}
"""llama.cpp's tensor names in a block -> transformers' Llama module names."""


def _field(reader: Any, key: str) -> Any:
    f = reader.fields.get(key)
    if f is None:
        raise KeyError(f"GGUF metadata lacks {key}")
    return f.contents()


def config_from_gguf(reader: Any) -> dict[str, Any]:
    """A transformers LlamaConfig dict from the GGUF metadata (the fields that shape the weights and RoPE)."""
    names = {t.name for t in reader.tensors}
    vocab = len(_field(reader, "tokenizer.ggml.tokens"))
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": int(_field(reader, "llama.embedding_length")),
        "intermediate_size": int(_field(reader, "llama.feed_forward_length")),
        "num_hidden_layers": int(_field(reader, "llama.block_count")),
        "num_attention_heads": int(_field(reader, "llama.attention.head_count")),
        "num_key_value_heads": int(_field(reader, "llama.attention.head_count_kv")),
        "max_position_embeddings": int(_field(reader, "llama.context_length")),
        "rms_norm_eps": float(_field(reader, "llama.attention.layer_norm_rms_epsilon")),
        # transformers 5 reads rope_parameters; older versions read rope_theta
        "rope_theta": float(_field(reader, "llama.rope.freq_base")),
        "rope_parameters": {"rope_theta": float(_field(reader, "llama.rope.freq_base")), "rope_type": "default"},
        "vocab_size": vocab, "hidden_act": "silu", "tie_word_embeddings": "output.weight" not in names,
        "bos_token_id": int(_field(reader, "tokenizer.ggml.bos_token_id")),
        "eos_token_id": int(_field(reader, "tokenizer.ggml.eos_token_id")),
        "pad_token_id": int(_field(reader, "tokenizer.ggml.padding_token_id")),
    }


def _unpermute(w: np.ndarray, heads: int) -> np.ndarray:
    """Undo llama.cpp's rotary interleave of a q or k projection (rows grouped by head)."""
    half = w.shape[0] // heads // 2
    return w.reshape(heads, half, 2, *w.shape[1:]).swapaxes(2, 1).reshape(w.shape)


def state_from_gguf(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(float32 weights by transformers name, config dict) of the GGUF model."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(str(path))
    cfg = config_from_gguf(reader)
    state: dict[str, np.ndarray] = {}
    for t in reader.tensors:
        shape = tuple(int(s) for s in reversed(t.shape.tolist()))  # GGUF lists dims innermost first
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape)
        parts = t.name.split(".")
        if parts[0] == "token_embd":
            name = "model.embed_tokens.weight"
        elif parts[0] == "output_norm":
            name = "model.norm.weight"
        elif parts[0] == "output":
            name = "lm_head.weight"
        elif parts[0] == "blk" and parts[2] in _LAYER:
            name = f"model.layers.{parts[1]}.{_LAYER[parts[2]]}.weight"
            if parts[2] == "attn_q":
                w = _unpermute(w, cfg["num_attention_heads"])
            elif parts[2] == "attn_k":
                w = _unpermute(w, cfg["num_key_value_heads"])
        else:
            raise ValueError(f"{path}: unexpected tensor {t.name}")
        if name in state:
            raise ValueError(f"{path}: tensor {t.name} twice")
        state[name] = np.ascontiguousarray(w)
    return state, cfg


def write_base(gguf: Path, out_dir: Path) -> Path:
    """Write a transformers folder (config.json + fp32 model.safetensors) of the dequantized GGUF; no tokenizer."""
    from safetensors.numpy import save_file

    state, cfg = state_from_gguf(gguf)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=1))
    return out_dir


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gguf", type=Path)
    ap.add_argument("out", type=Path)
    a = ap.parse_args(argv)
    print(write_base(a.gguf, a.out))


if __name__ == "__main__":
    main()
