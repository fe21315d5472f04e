"""Training on another machine: the tokenized data files and the base weights read from the GGUF.

The GGUF test compares `hub.model.gguf_base` with transformers' own dequantized GGUF load (what `fusehub model
build` merges the adapter into): a GPU run trains on the former, the build ships the latter, so they must
be the same weights in the same layout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fusehub.model.train import load_data, write_data

PAIRS = [([1, 2, 3], [4, 5]), ([7], [8, 9, 10]), ([65535, 0], [2])]


def test_data_round_trip(tmp_path: Path) -> None:
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    write_data(a, PAIRS, [11, 12], {"n": 3})
    write_data(b, PAIRS[:1], [11, 12], {"n": 1})
    data, sys_ids = load_data([a, b])
    assert data == PAIRS + PAIRS[:1]
    assert sys_ids == [11, 12]


def test_data_files_must_share_the_system_prompt(tmp_path: Path) -> None:
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    write_data(a, PAIRS, [11, 12], {})
    write_data(b, PAIRS, [11, 13], {})
    with pytest.raises(ValueError, match="another system prompt"):
        load_data([a, b])


def test_token_ids_beyond_the_format_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="uint16"):
        write_data(tmp_path / "a.npz", [([70000], [1])], [1], {})


@pytest.mark.parametrize("case", ["missing key", "short offsets", "offsets past the end", "pickled object"])
def test_broken_data_files_are_refused(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bad.npz"
    good = {"sys_ids": np.array([1], np.uint32), "p_flat": np.array([1, 2], np.uint16),
            "p_off": np.array([0, 2]), "t_flat": np.array([3], np.uint16), "t_off": np.array([0, 1])}
    if case == "missing key":
        del good["t_off"]
    elif case == "short offsets":
        good["p_off"] = np.array([0, 1])
    elif case == "offsets past the end":
        good["t_off"] = np.array([0, 5])
    else:
        good["sys_ids"] = np.array([{"x": 1}], dtype=object)
    np.savez(path, **good)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        load_data([path])


def test_no_data_files_is_an_error() -> None:
    with pytest.raises(ValueError, match="no data files"):
        load_data([])


def test_gguf_base_equals_transformers_dequantized_load() -> None:
    pytest.importorskip("gguf", reason="the build extra (gguf, transformers) is not installed")
    transformers = pytest.importorskip("transformers", reason="the build extra is not installed")
    import torch
    from fusehub.model.gguf_base import state_from_gguf
    from fusehub.reasoner.model_store import ModelBuildError, base_gguf

    try:
        gguf = base_gguf()
    except ModelBuildError as e:
        pytest.skip(str(e))
    state, cfg = state_from_gguf(gguf)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, quantization_config=transformers.GgufConfig(dequantize=True),
        dtype=torch.float32,
    )
    ref = {k: v for k, v in model.state_dict().items() if not (k == "lm_head.weight" and cfg["tie_word_embeddings"])}
    assert sorted(state) == sorted(ref)
    differ = [k for k in ref if not np.array_equal(ref[k].numpy(), state[k])]
    assert differ == []
    ours = transformers.LlamaConfig(**cfg).to_dict()
    theirs = model.config.to_dict()
    for key in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                "num_key_value_heads", "rms_norm_eps", "vocab_size", "tie_word_embeddings", "rope_parameters",
                "head_dim", "bos_token_id", "eos_token_id"):
        assert ours[key] == theirs[key], key


def test_the_model_store_finds_the_packaged_adapter() -> None:
    """The model folder is keyed by the adapter's files: a store that lost sight of them would key (and build) a
    base model without the adapter."""
    from fusehub.reasoner.model_store import ADAPTER_DIR, adapter_files

    assert ADAPTER_DIR.is_dir()
    assert {p.name for p in adapter_files()} == {"adapter_model.safetensors", "adapter_config.json"}
